/// One lexical token: its kind and the UTF-8 range it covers.
public struct Token: Sendable, Hashable {
    public var kind: TokenKind
    public var start: Int
    public var end: Int
    /// Whether a line break separates this token from the previous one (used for error recovery).
    public var startsLine: Bool

    public init(_ kind: TokenKind, start: Int, end: Int, startsLine: Bool) {
        self.kind = kind
        self.start = start
        self.end = end
        self.startsLine = startsLine
    }
}

/// What a token is; identifiers and literals carry their value.
public enum TokenKind: Sendable, Hashable, CustomStringConvertible {
    case identifier(String)
    case int(Int)
    case real(Double)
    case keyword(Keyword)
    case symbol(Symbol)
    /// A character the lexer does not know, already reported.
    case invalid
    case end

    public var description: String {
        switch self {
        case .identifier(let name): "identifier '\(name)'"
        case .int(let n): "integer '\(n)'"
        case .real(let x): "number '\(x)'"
        case .keyword(let k): "'\(k.rawValue)'"
        case .symbol(let s): "'\(s.rawValue)'"
        case .invalid: "invalid character"
        case .end: "end of file"
        }
    }
}

/// Reserved words. `do`, `given`, `report`, `with` and `max` are contextual and lex as identifiers.
public enum Keyword: String, Sendable, Hashable, CaseIterable {
    case model, fn, `let`, `var`, infer, counterfactual
    case `for`, `in`, `while`, `if`, `else`, `return`
    case observe, factor, `true`, `false`
}

/// Punctuation and operators.
public enum Symbol: String, Sendable, Hashable, CaseIterable {
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]"
    case leftBrace = "{", rightBrace = "}", comma = ",", colon = ":", semicolon = ";", dot = "."
    case tilde = "~", assign = "=", arrow = "->", halfOpenRange = "..<", question = "?"
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case and = "&&", or = "||", not = "!"
}
