/* lexer/token.h — token kinds.  Go's tokens; csp adds no operators. */
#ifndef CSP_LEXER_TOKEN_H
#define CSP_LEXER_TOKEN_H

#define CSP_TOKENS(T) \
    T(EOF, "EOF") T(IDENT, "name") T(INT, "literal") T(FLOAT, "literal") \
    T(STRING, "literal") T(CHAR, "literal") \
    /* operators */ \
    T(ADD, "+") T(SUB, "-") T(MUL, "*") T(QUO, "/") T(REM, "%") \
    T(AND, "&") T(OR, "|") T(XOR, "^") T(SHL, "<<") T(SHR, ">>") T(AND_NOT, "&^") \
    T(ADD_ASSIGN, "+=") T(SUB_ASSIGN, "-=") T(MUL_ASSIGN, "*=") T(QUO_ASSIGN, "/=") \
    T(REM_ASSIGN, "%=") T(AND_ASSIGN, "&=") T(OR_ASSIGN, "|=") T(XOR_ASSIGN, "^=") \
    T(SHL_ASSIGN, "<<=") T(SHR_ASSIGN, ">>=") T(AND_NOT_ASSIGN, "&^=") \
    T(LAND, "&&") T(LOR, "||") T(ARROW, "<-") T(INC, "++") T(DEC, "--") \
    T(EQL, "==") T(LSS, "<") T(GTR, ">") T(ASSIGN, "=") T(NOT, "!") \
    T(NEQ, "!=") T(LEQ, "<=") T(GEQ, ">=") T(DEFINE, ":=") T(ELLIPSIS, "...") \
    T(LPAREN, "(") T(LBRACK, "[") T(LBRACE, "{") T(COMMA, ",") T(PERIOD, ".") \
    T(RPAREN, ")") T(RBRACK, "]") T(RBRACE, "}") T(SEMICOLON, ";") T(COLON, ":") \
    T(TILDE, "~") \
    /* keywords */ \
    T(BREAK, "break") T(CASE, "case") T(CHAN, "chan") T(CONST, "const") \
    T(CONTINUE, "continue") T(DEFAULT, "default") T(DEFER, "defer") T(ELSE, "else") \
    T(FALLTHROUGH, "fallthrough") T(FOR, "for") T(FUNC, "func") T(GO, "go") \
    T(GOTO, "goto") T(IF, "if") T(IMPORT, "import") T(INTERFACE, "interface") \
    T(MAP, "map") T(PACKAGE, "package") T(RANGE, "range") T(RETURN, "return") \
    T(SELECT, "select") T(STRUCT, "struct") T(SWITCH, "switch") T(TYPE, "type") \
    T(VAR, "var")

typedef enum TokenKind {
#define CSP_TOK_ENUM(name, text) TK_##name,
    CSP_TOKENS(CSP_TOK_ENUM)
#undef CSP_TOK_ENUM
    TK_COUNT
} TokenKind;

#endif
