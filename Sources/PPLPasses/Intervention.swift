import PPLDiagnostics
import PPLDistributions
import PPLIR

/// The address an intervention names: a root and leading indices (`x`, `z[3]`, `w[1][2]`);
/// a bare root or a prefix covers every element under it.
public struct InterventionAddress: Sendable, Hashable, CustomStringConvertible {
    public var root: String
    public var indices: [Int]
    public init(_ root: String, _ indices: [Int] = []) {
        self.root = root
        self.indices = indices
    }
    public var description: String { root + indices.map { "[\($0)]" }.joined() }

    /// Whether the two addresses name a common choice (`z` and `z[3]`, or `z[3]` twice).
    func overlaps(_ other: InterventionAddress) -> Bool {
        root == other.root && zip(indices, other.indices).allSatisfy { $0 == $1 }
    }
}

/// A value written in a `do(...)` clause or a `--do` flag, evaluated where the choice was made.
public indirect enum InterventionExpr: Sendable, Hashable, CustomStringConvertible {
    case real(Double)
    case int(Int)
    case bool(Bool)
    case array([InterventionExpr])
    /// Another variable of the model: a choice (`y`, `z[2]`), a parameter or a reported `let`.
    case reference(InterventionAddress)
    case unary(UnaryOp, InterventionExpr)
    case binary(BinaryOp, InterventionExpr, InterventionExpr)
    case builtin(Builtin, [InterventionExpr])

    public var description: String {
        switch self {
        case .real(let x): return formatReal(x)
        case .int(let n): return String(n)
        case .bool(let b): return String(b)
        case .array(let xs): return "[" + xs.map(\.description).joined(separator: ", ") + "]"
        case .reference(let a): return a.description
        case .unary(.neg, let a): return "-\(a)"
        case .unary(.not, let a): return "!\(a)"
        case .binary(let op, let a, let b): return "(\(a) \(op.symbol) \(b))"
        case .builtin(let f, let xs): return "\(f.rawValue)(\(xs.map(\.description).joined(separator: ", ")))"
        }
    }


    /// Every variable the expression reads.
    var references: [InterventionAddress] {
        switch self {
        case .real, .int, .bool: []
        case .reference(let a): [a]
        case .array(let xs), .builtin(_, let xs): xs.flatMap(\.references)
        case .unary(_, let a): a.references
        case .binary(_, let a, let b): a.references + b.references
        }
    }
}

/// What an intervened choice becomes.
public enum InterventionValue: Sendable, Hashable, CustomStringConvertible {
    /// A hard intervention: a constant, or a function of other variables (`do(x = 0.5 * y)`).
    case value(InterventionExpr)
    /// A stochastic intervention: a fresh draw from a new distribution, at the same address.
    case distribution(family: String, arguments: [InterventionExpr])

    public var description: String {
        switch self {
        case .value(let e): e.description
        case .distribution(let f, let args): "\(f)(\(args.map(\.description).joined(separator: ", ")))"
        }
    }
}

/// `do(address = value)`: replace the mechanism of a choice (Pearl 2009, Causality, 3.2.2).
public struct Intervention: Sendable, Hashable, CustomStringConvertible {
    public var address: InterventionAddress
    public var value: InterventionValue
    /// Where the user wrote it (a query's `do` clause), for diagnostics; nil for flags.
    public var span: SourceSpan?

    public init(_ address: InterventionAddress, _ value: InterventionValue, span: SourceSpan? = nil) {
        self.address = address
        self.value = value
        self.span = span
    }

    /// `do(x = 0.5)`.
    public static func constant(_ address: InterventionAddress, _ x: Double) -> Intervention {
        Intervention(address, .value(.real(x)))
    }

    public var description: String {
        switch value {
        case .value: "\(address) = \(value)"
        case .distribution: "\(address) ~ \(value)"
        }
    }

    /// Parses `x = 0.5`, `z[3] = 1`, `x = 0.5 * y`, `x ~ Normal(0, 1)` (or `x = Normal(0, 1)`),
    /// the spelling of `--do` flags and of each binding in a `do(...)` clause.
    public static func parse(_ text: String, span: SourceSpan? = nil) throws(DiagnosticList) -> Intervention {
        var parser = InterventionParser(text: text, span: span)
        return try parser.binding()
    }

    /// Parses a comma-separated list, e.g. the inside of `do(x = 1, y = 2)`.
    public static func parseList(_ text: String, span: SourceSpan? = nil) throws(DiagnosticList) -> [Intervention] {
        var parser = InterventionParser(text: text, span: span)
        return try parser.bindings()
    }

    /// Builds an intervention from an address and a value written separately (a checked query's
    /// `QueryAddress.text` and the source text of its value expression).
    public static func parse(address: String, value: String, span: SourceSpan? = nil) throws(DiagnosticList) -> Intervention {
        try parse("\(address) = \(value)", span: span)
    }
}

/// Recursive descent over the small expression language of interventions; precedence as in .ppl.
struct InterventionParser {
    let chars: [Character]
    var position = 0
    let span: SourceSpan?
    let text: String

    init(text: String, span: SourceSpan?) {
        self.text = text
        self.chars = Array(text)
        self.span = span
    }

    func fail(_ message: String) -> DiagnosticList {
        DiagnosticList([.error("\(message) in intervention '\(text)'", at: span,
                               notes: [.init("write e.g. 'x = 0.5', 'z[3] = 1', 'x = 0.5 * y' or 'x ~ Normal(0, 1)'")])])
    }

    mutating func skipSpace() { while position < chars.count, chars[position].isWhitespace { position += 1 } }

    mutating func peek(_ s: String) -> Bool {
        skipSpace()
        let c = Array(s)
        return position + c.count <= chars.count && Array(chars[position..<position + c.count]) == c
    }

    mutating func eat(_ s: String) -> Bool {
        if peek(s) { position += s.count; return true }
        return false
    }

    mutating func expect(_ s: String) throws(DiagnosticList) {
        if !eat(s) { throw fail("expected '\(s)'") }
    }

    mutating func bindings() throws(DiagnosticList) -> [Intervention] {
        var out: [Intervention] = []
        repeat { out.append(try bindingBody()) } while eat(",")
        skipSpace()
        if position < chars.count { throw fail("unexpected '\(chars[position])'") }
        return out
    }

    mutating func binding() throws(DiagnosticList) -> Intervention {
        let b = try bindingBody()
        skipSpace()
        if position < chars.count { throw fail("unexpected '\(chars[position])'") }
        return b
    }

    mutating func bindingBody() throws(DiagnosticList) -> Intervention {
        guard let name = identifier() else { throw fail("expected an address") }
        var indices: [Int] = []
        while eat("[") {
            skipSpace()
            guard let n = integer() else { throw fail("expected a constant index") }
            indices.append(n)
            try expect("]")
        }
        if peek(".") { throw fail("interventions on choices inside function calls are not supported") }
        let address = InterventionAddress(name, indices)
        if eat("~") {
            guard case .distribution(let f, let args) = try distributionOrExpr(requireDistribution: true) else {
                throw fail("expected a distribution after '~'")
            }
            return Intervention(address, .distribution(family: f, arguments: args), span: span)
        }
        try expect("=")
        return Intervention(address, try distributionOrExpr(requireDistribution: false), span: span)
    }

    mutating func distributionOrExpr(requireDistribution: Bool) throws(DiagnosticList) -> InterventionValue {
        skipSpace()
        let start = position
        if let name = identifier(), Catalogue.family(named: name) != nil, eat("(") {
            var args: [InterventionExpr] = []
            if !eat(")") {
                repeat { args.append(try expression()) } while eat(",")
                try expect(")")
            }
            return .distribution(family: name, arguments: args)
        }
        position = start
        if requireDistribution { throw fail("expected a distribution such as 'Normal(0, 1)'") }
        return .value(try expression())
    }

    mutating func identifier() -> String? {
        skipSpace()
        guard position < chars.count, chars[position] == "_" || chars[position].isLetter else { return nil }
        var name = ""
        while position < chars.count, chars[position] == "_" || chars[position].isLetter || chars[position].isNumber {
            name.append(chars[position]); position += 1
        }
        return name
    }

    mutating func integer() -> Int? {
        var digits = ""
        while position < chars.count, chars[position].isASCII, chars[position].isNumber { digits.append(chars[position]); position += 1 }
        return Int(digits)
    }

    mutating func expression() throws(DiagnosticList) -> InterventionExpr { try or() }

    mutating func or() throws(DiagnosticList) -> InterventionExpr {
        var lhs = try and()
        while eat("||") { lhs = .binary(.or, lhs, try and()) }
        return lhs
    }

    mutating func and() throws(DiagnosticList) -> InterventionExpr {
        var lhs = try comparison()
        while eat("&&") { lhs = .binary(.and, lhs, try comparison()) }
        return lhs
    }

    mutating func comparison() throws(DiagnosticList) -> InterventionExpr {
        let lhs = try additive()
        for (s, op) in [("==", BinaryOp.eq), ("!=", .ne), ("<=", .le), (">=", .ge), ("<", .lt), (">", .gt)] where eat(s) {
            return .binary(op, lhs, try additive())
        }
        return lhs
    }

    mutating func additive() throws(DiagnosticList) -> InterventionExpr {
        var lhs = try multiplicative()
        while true {
            if eat("+") { lhs = .binary(.add, lhs, try multiplicative()) }
            else if eat("-") { lhs = .binary(.sub, lhs, try multiplicative()) }
            else { return lhs }
        }
    }

    mutating func multiplicative() throws(DiagnosticList) -> InterventionExpr {
        var lhs = try unary()
        while true {
            if eat("*") { lhs = .binary(.mul, lhs, try unary()) }
            else if eat("/") { lhs = .binary(.div, lhs, try unary()) }
            else if eat("%") { lhs = .binary(.mod, lhs, try unary()) }
            else { return lhs }
        }
    }

    mutating func unary() throws(DiagnosticList) -> InterventionExpr {
        if eat("-") {
            let a = try unary()
            switch a {
            case .real(let x): return .real(-x)
            case .int(let n): return .int(-n)
            default: return .unary(.neg, a)
            }
        }
        if eat("!") { return .unary(.not, try unary()) }
        let base = try primary()
        if eat("^") { return .binary(.pow, base, try unary()) }
        return base
    }

    mutating func primary() throws(DiagnosticList) -> InterventionExpr {
        skipSpace()
        guard position < chars.count else { throw fail("expected a value") }
        if eat("(") {
            let e = try expression()
            try expect(")")
            return e
        }
        if eat("[") {
            var xs: [InterventionExpr] = []
            if !eat("]") {
                repeat { xs.append(try expression()) } while eat(",")
                try expect("]")
            }
            return .array(xs)
        }
        if chars[position].isNumber || chars[position] == "." { return try number() }
        guard let name = identifier() else { throw fail("unexpected '\(chars[position])'") }
        if name == "true" { return .bool(true) }
        if name == "false" { return .bool(false) }
        if eat("(") {
            guard let f = Builtin(rawValue: name) else {
                if Catalogue.family(named: name) != nil {
                    throw fail("a distribution is only allowed as the whole value (a stochastic intervention)")
                }
                throw fail("unknown function '\(name)'")
            }
            var args: [InterventionExpr] = []
            if !eat(")") {
                repeat { args.append(try expression()) } while eat(",")
                try expect(")")
            }
            return .builtin(f, args)
        }
        var indices: [Int] = []
        while eat("[") {
            skipSpace()
            guard let n = integer() else { throw fail("expected a constant index") }
            indices.append(n)
            try expect("]")
        }
        return .reference(InterventionAddress(name, indices))
    }

    mutating func number() throws(DiagnosticList) -> InterventionExpr {
        var s = ""
        var isReal = false
        while position < chars.count {
            let c = chars[position]
            if c.isASCII && c.isNumber { s.append(c) }
            else if c == "." || c == "e" || c == "E" { s.append(c); isReal = true }
            else if (c == "-" || c == "+"), let last = s.last, last == "e" || last == "E" { s.append(c) }
            else { break }
            position += 1
        }
        if !isReal, let n = Int(s) { return .int(n) }
        guard let x = Double(s) else { throw fail("'\(s)' is not a number") }
        return .real(x)
    }
}

/// The closest candidate within a third of the name's length, for did-you-mean notes.
func closestCandidate(to name: String, among candidates: some Sequence<String>) -> String? {
    let source = Array(name.lowercased())
    let limit = max(1, source.count / 3)
    var best: (String, Int)?
    for candidate in Set(candidates) where candidate != name {
        let target = Array(candidate.lowercased())
        if abs(target.count - source.count) > limit { continue }
        var previous = Array(0...target.count)
        var row = previous
        for i in 1...max(1, source.count) where !source.isEmpty {
            row[0] = i
            for j in stride(from: 1, through: target.count, by: 1) {
                row[j] = min(previous[j - 1] + (source[i - 1] == target[j - 1] ? 0 : 1), previous[j] + 1, row[j - 1] + 1)
            }
            swap(&previous, &row)
        }
        let d = source.isEmpty ? target.count : previous[target.count]
        if d <= limit, best.map({ d < $0.1 || (d == $0.1 && candidate < $0.0) }) ?? true { best = (candidate, d) }
    }
    return best?.0
}

extension InterventionAddress {
    /// Parses `x`, `z[3]`, `w[1][2]` (the spelling of flags and output columns).
    public init(parsing text: String) throws(DiagnosticList) {
        var parser = InterventionParser(text: text + " = 0", span: nil)
        self = try parser.binding().address
    }
}

extension InterventionExpr {
    /// A constant from an evaluated value (`Query.interventions` holds these); nil for matrices.
    public init?(_ value: Value) {
        switch value {
        case .real(let x): self = .real(x)
        case .int(let n): self = .int(n)
        case .bool(let b): self = .bool(b)
        case .array(let xs):
            var elements: [InterventionExpr] = []
            for x in xs {
                guard let e = InterventionExpr(x) else { return nil }
                elements.append(e)
            }
            self = .array(elements)
        case .matrix: return nil
        }
    }
}

extension Intervention {
    /// `do(address = value)` with an evaluated value, e.g. from `--do smoking=1` or a query's `do(...)`.
    public init(address: String, value: Value, span: SourceSpan? = nil) throws(DiagnosticList) {
        guard let expr = InterventionExpr(value) else {
            throw DiagnosticList([.error("cannot set '\(address)' to a matrix", at: span)])
        }
        self.init(try InterventionAddress(parsing: address), .value(expr), span: span)
    }
}
