import PPLDiagnostics

/// Turns source text into tokens; reports bad characters, numbers and comments and keeps going.
public struct Lexer: Sendable {
    public let file: SourceFile
    private let bytes: [UInt8]

    public init(file: SourceFile) {
        self.file = file
        self.bytes = Array(file.text.utf8)
    }

    /// Every token of the file, ending with `.end`, and the problems found.
    public func tokenize() -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3)
        var diagnostics: [Diagnostic] = []
        var i = 0
        var sawNewline = true
        let n = bytes.count

        func span(_ s: Int, _ e: Int) -> SourceSpan { SourceSpan(file: file, start: s, end: e) }

        while i < n {
            let c = bytes[i]
            // Whitespace and comments.
            if c == 0x20 || c == 0x09 || c == 0x0D { i += 1; continue }
            if c == 0x0A { sawNewline = true; i += 1; continue }
            if c == slash, i + 1 < n, bytes[i + 1] == slash {
                while i < n, bytes[i] != 0x0A { i += 1 }
                continue
            }
            if c == slash, i + 1 < n, bytes[i + 1] == star {
                // Block comments nest, so commenting out code that has comments works.
                let start = i
                var depth = 1
                i += 2
                while i < n, depth > 0 {
                    if bytes[i] == slash, i + 1 < n, bytes[i + 1] == star { depth += 1; i += 2 }
                    else if bytes[i] == star, i + 1 < n, bytes[i + 1] == slash { depth -= 1; i += 2 }
                    else { if bytes[i] == 0x0A { sawNewline = true }; i += 1 }
                }
                if depth > 0 {
                    diagnostics.append(.error("unterminated block comment", at: span(start, start + 2),
                                              notes: [.init("add '*/' to close the comment")]))
                }
                continue
            }

            let start = i
            let startsLine = sawNewline
            sawNewline = false
            if isIdentifierStart(c) {
                i += 1
                while i < n, isIdentifierContinue(bytes[i]) { i += 1 }
                let kind: TokenKind = keyword(start, i).map { .keyword($0) }
                    ?? .identifier(String(decoding: bytes[start..<i], as: UTF8.self))
                tokens.append(Token(kind, start: start, end: i, startsLine: startsLine))
                continue
            }
            if isDigit(c) {
                var isReal = false
                while i < n, isDigit(bytes[i]) || bytes[i] == underscore { i += 1 }
                // A '.' followed by a digit makes a real; `0..<n` stays an integer and a range.
                if i + 1 < n, bytes[i] == dot, isDigit(bytes[i + 1]) {
                    isReal = true
                    i += 1
                    while i < n, isDigit(bytes[i]) || bytes[i] == underscore { i += 1 }
                }
                if i < n, bytes[i] == 0x65 || bytes[i] == 0x45 {
                    var j = i + 1
                    if j < n, bytes[j] == plus || bytes[j] == minus { j += 1 }
                    if j < n, isDigit(bytes[j]) {
                        isReal = true
                        i = j
                        while i < n, isDigit(bytes[i]) { i += 1 }
                    }
                }
                // A letter straight after a number (`2x`) is a typo, not two tokens.
                if i < n, isIdentifierStart(bytes[i]) {
                    var j = i
                    while j < n, isIdentifierContinue(bytes[j]) { j += 1 }
                    diagnostics.append(.error("invalid number '\(String(decoding: bytes[start..<j], as: UTF8.self))'",
                                              at: span(start, j)))
                    tokens.append(Token(.invalid, start: start, end: j, startsLine: startsLine))
                    i = j
                    continue
                }
                let digits = bytes[start..<i]
                let text = digits.contains(underscore)
                    ? String(decoding: digits.filter { $0 != underscore }, as: UTF8.self)
                    : String(decoding: digits, as: UTF8.self)
                if isReal {
                    guard let value = Double(text), value.isFinite else {
                        diagnostics.append(.error("real literal '\(text)' is out of range", at: span(start, i),
                                                  notes: [.init("the largest real is about 1.8e308")]))
                        tokens.append(Token(.invalid, start: start, end: i, startsLine: startsLine))
                        continue
                    }
                    tokens.append(Token(.real(value), start: start, end: i, startsLine: startsLine))
                } else if let value = Int(text) {
                    tokens.append(Token(.int(value), start: start, end: i, startsLine: startsLine))
                } else {
                    diagnostics.append(.error("integer literal '\(text)' is too large", at: span(start, i),
                                              notes: [.init("write it as a real, e.g. '\(text).0'")]))
                    tokens.append(Token(.invalid, start: start, end: i, startsLine: startsLine))
                }
                continue
            }
            if let (symbol, length) = symbol(at: i) {
                i += length
                tokens.append(Token(.symbol(symbol), start: start, end: i, startsLine: startsLine))
                continue
            }
            // Skip a whole UTF-8 scalar so the caret covers one character.
            i += 1
            while i < n, bytes[i] & 0xC0 == 0x80 { i += 1 }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            var notes: [Diagnostic.Note] = []
            if c == UInt8(ascii: "&") { notes.append(.init("use '&&' for logical and")) }
            if c == UInt8(ascii: "|") { notes.append(.init("use '||' for logical or")) }
            if c == UInt8(ascii: "^") { notes.append(.init("use 'pow(x, y)' for powers")) }
            diagnostics.append(.error("unexpected character '\(text)'", at: span(start, i), notes: notes))
            tokens.append(Token(.invalid, start: start, end: i, startsLine: startsLine))
        }
        tokens.append(Token(.end, start: n, end: n, startsLine: true))
        return (tokens, diagnostics)
    }

    /// The keyword spelled by `bytes[start..<end]`, compared byte by byte (no String built).
    private func keyword(_ start: Int, _ end: Int) -> Keyword? {
        let length = end - start
        guard length >= 2, length < keywordsByLength.count else { return nil }
        for (spelling, keyword) in keywordsByLength[length] {
            var k = 0
            while k < length, bytes[start + k] == spelling[k] { k += 1 }
            if k == length { return keyword }
        }
        return nil
    }

    private func symbol(at i: Int) -> (Symbol, Int)? {
        let c = bytes[i]
        let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
        switch c {
        case UInt8(ascii: "("): return (.leftParen, 1)
        case UInt8(ascii: ")"): return (.rightParen, 1)
        case UInt8(ascii: "["): return (.leftBracket, 1)
        case UInt8(ascii: "]"): return (.rightBracket, 1)
        case UInt8(ascii: "{"): return (.leftBrace, 1)
        case UInt8(ascii: "}"): return (.rightBrace, 1)
        case UInt8(ascii: ","): return (.comma, 1)
        case UInt8(ascii: ":"): return (.colon, 1)
        case UInt8(ascii: ";"): return (.semicolon, 1)
        case UInt8(ascii: "~"): return (.tilde, 1)
        case UInt8(ascii: "?"): return (.question, 1)
        case UInt8(ascii: "+"): return (.plus, 1)
        case UInt8(ascii: "*"): return (.star, 1)
        case UInt8(ascii: "/"): return (.slash, 1)
        case UInt8(ascii: "%"): return (.percent, 1)
        case UInt8(ascii: "-"): return next == UInt8(ascii: ">") ? (.arrow, 2) : (.minus, 1)
        case UInt8(ascii: "="): return next == UInt8(ascii: "=") ? (.equal, 2) : (.assign, 1)
        case UInt8(ascii: "!"): return next == UInt8(ascii: "=") ? (.notEqual, 2) : (.not, 1)
        case UInt8(ascii: "<"): return next == UInt8(ascii: "=") ? (.lessEqual, 2) : (.less, 1)
        case UInt8(ascii: ">"): return next == UInt8(ascii: "=") ? (.greaterEqual, 2) : (.greater, 1)
        case UInt8(ascii: "&"): return next == UInt8(ascii: "&") ? (.and, 2) : nil
        case UInt8(ascii: "|"): return next == UInt8(ascii: "|") ? (.or, 2) : nil
        case UInt8(ascii: "."):
            if next == UInt8(ascii: "."), i + 2 < bytes.count, bytes[i + 2] == UInt8(ascii: "<") { return (.halfOpenRange, 3) }
            return (.dot, 1)
        default: return nil
        }
    }
}

/// Keywords grouped by spelling length, for `Lexer.keyword`.
private let keywordsByLength: [[([UInt8], Keyword)]] = {
    var table = Array(repeating: [([UInt8], Keyword)](), count: 16)
    for keyword in Keyword.allCases { table[keyword.rawValue.utf8.count].append((Array(keyword.rawValue.utf8), keyword)) }
    return table
}()

private let slash = UInt8(ascii: "/")
private let star = UInt8(ascii: "*")
private let dot = UInt8(ascii: ".")
private let plus = UInt8(ascii: "+")
private let minus = UInt8(ascii: "-")
private let underscore = UInt8(ascii: "_")

private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
private func isIdentifierStart(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == underscore
}
private func isIdentifierContinue(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }
