import PPLDistributions

/// The language's built-in functions; lowering maps each case to an IR operation.
public enum Builtin: String, Sendable, Hashable, CaseIterable {
    // Element-wise maths: a number gives a Real, an array gives an array of Reals.
    case exp, log, log1p, expm1, logistic, inv_logit, logit, lgamma, sqrt, abs
    case pow
    /// `min(a, b)` of two numbers, or `min(xs)` of an array.
    case min, max
    case sum, mean, log_sum_exp, softmax
    case len, dot, transpose, cholesky
    /// `rep(x, n)`: n copies of x. `zeros(n)`, `ones(n)`: Reals.
    case rep, zeros, ones
    /// `to_matrix(rows)`: a matrix from an array of rows. `rows(m)`, `cols(m)`: its shape.
    case to_matrix, rows, cols

    /// One line for the language reference.
    public var summary: String {
        switch self {
        case .exp: "exp(x): element-wise on arrays"
        case .log: "log(x): natural logarithm; element-wise on arrays"
        case .log1p: "log1p(x) = log(1 + x), accurate near 0; element-wise on arrays"
        case .expm1: "expm1(x) = exp(x) - 1, accurate near 0; element-wise on arrays"
        case .logit: "logit(p) = log(p / (1 - p)); element-wise on arrays"
        case .lgamma: "lgamma(x) = log |Gamma(x)|; element-wise on arrays"
        case .sqrt: "sqrt(x); element-wise on arrays"
        case .logistic, .inv_logit: "\(rawValue)(x) = 1 / (1 + exp(-x)): element-wise on arrays"
        case .abs: "abs(x): Int stays Int; element-wise on arrays"
        case .pow: "pow(x, y) = x^y"
        case .min, .max: "\(rawValue)(a, b) of two numbers or \(rawValue)(xs) of an array"
        case .sum: "sum(xs): Int for [Int], Real for [Real]"
        case .mean: "mean(xs)"
        case .log_sum_exp: "log_sum_exp(xs) = log(sum(exp(xs))) computed stably; or of two numbers"
        case .softmax: "softmax(xs) = exp(xs) / sum(exp(xs))"
        case .len: "len(xs): number of elements (rows of a matrix)"
        case .dot: "dot(xs, ys) = sum of xs[i] * ys[i]"
        case .transpose: "transpose(m)"
        case .cholesky: "cholesky(m): lower-triangular L with L * transpose(L) = m"
        case .rep: "rep(x, n): an array of n copies of x"
        case .zeros: "zeros(n): n Reals equal to 0"
        case .ones: "ones(n): n Reals equal to 1"
        case .to_matrix: "to_matrix(rows): a Matrix from [[Real]]"
        case .rows: "rows(m): number of rows"
        case .cols: "cols(m): number of columns"
        }
    }

    /// The result type for these argument types, or a message saying what was expected.
    func resultType(_ arguments: [ValueType]) -> Result<ValueType, BuiltinMismatch> {
        let count = arguments.count
        func arity(_ n: Int) -> BuiltinMismatch? { count == n ? nil : .arity(expected: "\(n)") }
        switch self {
        case .exp, .log, .log1p, .expm1, .logistic, .inv_logit, .logit, .lgamma, .sqrt, .abs:
            if let e = arity(1) { return .failure(e) }
            let t = arguments[0]
            if self == .abs, t == .int { return .success(.int) }
            if self == .abs, t == .array(.int) { return .success(.array(.int)) }
            if t.isNumber { return .success(.real) }
            if t.isNumberArray { return .success(.array(.real)) }
            return .failure(.argument(0, expected: "a number or an array of numbers"))
        case .pow:
            if let e = arity(2) { return .failure(e) }
            for i in 0..<2 where !arguments[i].isNumber { return .failure(.argument(i, expected: "a number")) }
            return .success(.real)
        case .min, .max:
            if count == 1 {
                guard arguments[0].isNumberArray, case .array(let element) = arguments[0] else {
                    return .failure(.argument(0, expected: "an array of numbers"))
                }
                return .success(element == .int ? .int : .real)
            }
            if count != 2 { return .failure(.arity(expected: "1 or 2")) }
            for i in 0..<2 where !arguments[i].isNumber { return .failure(.argument(i, expected: "a number")) }
            return .success(arguments[0] == .int && arguments[1] == .int ? .int : .real)
        case .sum:
            if let e = arity(1) { return .failure(e) }
            guard arguments[0].isNumberArray else { return .failure(.argument(0, expected: "an array of numbers")) }
            return .success(arguments[0] == .array(.int) ? .int : .real)
        case .mean, .softmax:
            if let e = arity(1) { return .failure(e) }
            guard arguments[0].isNumberArray else { return .failure(.argument(0, expected: "an array of numbers")) }
            return .success(self == .mean ? .real : .array(.real))
        case .log_sum_exp:
            if count == 2 {
                for i in 0..<2 where !arguments[i].isNumber { return .failure(.argument(i, expected: "a number")) }
                return .success(.real)
            }
            if count != 1 { return .failure(.arity(expected: "1 or 2")) }
            guard arguments[0].isNumberArray else { return .failure(.argument(0, expected: "an array of numbers")) }
            return .success(.real)
        case .len:
            if let e = arity(1) { return .failure(e) }
            switch arguments[0] {
            case .array, .matrix: return .success(.int)
            default: return .failure(.argument(0, expected: "an array or a matrix"))
            }
        case .dot:
            if let e = arity(2) { return .failure(e) }
            for i in 0..<2 where !arguments[i].isNumberArray { return .failure(.argument(i, expected: "an array of numbers")) }
            return .success(.real)
        case .transpose, .cholesky:
            if let e = arity(1) { return .failure(e) }
            guard arguments[0] == .matrix else { return .failure(.argument(0, expected: "a Matrix")) }
            return .success(.matrix)
        case .rows, .cols:
            if let e = arity(1) { return .failure(e) }
            guard arguments[0] == .matrix else { return .failure(.argument(0, expected: "a Matrix")) }
            return .success(.int)
        case .rep:
            if let e = arity(2) { return .failure(e) }
            guard arguments[1] == .int else {
                return .failure(.argument(1, expected: "an Int count"))
            }
            return .success(.array(arguments[0]))
        case .zeros, .ones:
            if let e = arity(1) { return .failure(e) }
            guard arguments[0] == .int else { return .failure(.argument(0, expected: "an Int count")) }
            return .success(.array(.real))
        case .to_matrix:
            if let e = arity(1) { return .failure(e) }
            guard case .array(let row) = arguments[0], row.isNumberArray else {
                return .failure(.argument(0, expected: "an array of rows ([[Real]])"))
            }
            return .success(.matrix)
        }
    }
}

/// Why a built-in call does not type-check.
enum BuiltinMismatch: Error {
    case arity(expected: String)
    case argument(Int, expected: String)
}

extension ValueType {
    /// Whether a value may stand where `other` is expected: Int widens to Real, element-wise
    /// in arrays. Stricter than `converts(to:)`: a Bool is not silently a number here.
    func widens(to other: ValueType) -> Bool {
        if self == other { return true }
        switch (self, other) {
        case (.int, .real): return true
        case (.array(let a), .array(let b)): return a.widens(to: b)
        default: return false
        }
    }

    var isNumber: Bool { self == .int || self == .real }
    var isNumberArray: Bool {
        if case .array(let element) = self { return element.isNumber }
        return false
    }
    /// The element type of an array, the row type of a matrix.
    var elementType: ValueType? {
        switch self {
        case .array(let element): element
        case .matrix: .array(.real)
        default: nil
        }
    }
}
