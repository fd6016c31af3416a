/// A run-time value of the language: what choices, data and results hold.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case real(Double)
    case int(Int)
    case bool(Bool)
    /// Arrays and vectors (a vector is an array of reals).
    case array([Value])
    case matrix(Matrix)

    public var asReal: Double? {
        switch self {
        case .real(let x): x
        case .int(let n): Double(n)
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    public var asInt: Int? {
        switch self {
        case .int(let n): n
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    public var asArray: [Value]? {
        if case .array(let xs) = self { return xs }
        return nil
    }

    /// The elements as reals when this is an array of numbers.
    public var asReals: [Double]? {
        guard case .array(let xs) = self else { return nil }
        var out: [Double] = []
        out.reserveCapacity(xs.count)
        for x in xs { guard let r = x.asReal else { return nil }; out.append(r) }
        return out
    }

    public static func reals(_ xs: [Double]) -> Value { .array(xs.map(Value.real)) }
    public static func ints(_ xs: [Int]) -> Value { .array(xs.map(Value.int)) }

    public var description: String {
        switch self {
        case .real(let x): formatReal(x)
        case .int(let n): String(n)
        case .bool(let b): String(b)
        case .array(let xs): "[" + xs.map(\.description).joined(separator: ", ") + "]"
        case .matrix(let m): m.description
        }
    }
}

/// Shortest round-tripping text for a real, always with a decimal point or exponent.
public func formatReal(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    let text = "\(x)"
    return text
}

/// A dense row-major matrix of reals.
public struct Matrix: Sendable, Hashable, CustomStringConvertible {
    public var rows: Int
    public var columns: Int
    public var elements: [Double]

    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(elements.count == rows * columns, "matrix shape and element count differ")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    public subscript(i: Int, j: Int) -> Double {
        get { elements[i * columns + j] }
        set { elements[i * columns + j] = newValue }
    }

    public var description: String {
        "[" + (0..<rows).map { i in
            "[" + (0..<columns).map { j in formatReal(self[i, j]) }.joined(separator: ", ") + "]"
        }.joined(separator: ", ") + "]"
    }
}
