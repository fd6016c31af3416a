import Foundation
import PPLDistributions
import PPLIR
import PPLInference

/// A boxed run-time value for the generic (array and matrix) operations.
enum RuntimeValue {
    case real(Double)
    case int(Int)
    case object(Obj)
}

struct GenericError: Error {
    var kind: ModelError.Kind
    var message: String
}

private func realsOf(_ v: RuntimeValue) -> [Double]? {
    switch v {
    case .object(.reals(let xs)): xs
    case .object(.ints(let xs)): xs.map(Double.init)
    default: nil
    }
}

private func scalarOf(_ v: RuntimeValue) -> Double? {
    switch v {
    case .real(let x): x
    case .int(let n): Double(n)
    default: nil
    }
}

private func matrixOf(_ v: RuntimeValue) -> Matrix? {
    if case .object(.matrix(let m)) = v { return m }
    return nil
}

private func arithmetic(_ op: BinaryOp, _ x: Double, _ y: Double) throws(GenericError) -> Double {
    switch op {
    case .add: return x + y
    case .sub: return x - y
    case .mul: return x * y
    case .div:
        if y == 0 { throw GenericError(kind: .divisionByZero, message: "division by zero") }
        return x / y
    case .pow: return Foundation.pow(x, y)
    case .mod:
        if y == 0 { throw GenericError(kind: .divisionByZero, message: "remainder of division by zero") }
        return fmod(x, y)
    default: throw GenericError(kind: .other, message: "'\(op.rawValue)' does not apply to arrays")
    }
}

/// Evaluates an array, matrix or other generic operation; shapes are checked here.
func evaluateGeneric(_ op: GenericOp, _ args: [RuntimeValue], resultType: ValueType) throws(GenericError) -> RuntimeValue {
    let wantsInts = resultType == .array(.int) || resultType == .int
    switch op {
    case .toReal:
        if let xs = realsOf(args[0]) { return .object(.reals(xs)) }
        return args[0]
    case .unary(let u):
        switch args[0] {
        case .object(.reals(let xs)): return .object(.reals(xs.map { -$0 }))
        case .object(.ints(let xs)): return .object(.ints(xs.map { 0 &- $0 }))
        case .object(.matrix(let m)): return .object(.matrix(Matrix(rows: m.rows, columns: m.columns, elements: m.elements.map { -$0 })))
        default: throw GenericError(kind: .other, message: "'\(u.rawValue)' does not apply here")
        }
    case .binary(let b):
        let (l, r) = (args[0], args[1])
        if let m = matrixOf(l) ?? matrixOf(r) {
            return .object(try matrixArithmetic(b, l, r, m))
        }
        if wantsInts {
            func ints(_ v: RuntimeValue) -> [Int]? { if case .object(.ints(let xs)) = v { return xs }; return nil }
            func int(_ v: RuntimeValue) -> Int? { if case .int(let n) = v { return n }; return nil }
            let n = ints(l)?.count ?? ints(r)?.count ?? 0
            if let a = ints(l), let c = ints(r), a.count != c.count {
                throw GenericError(kind: .indexOutOfRange, message: "arrays of \(a.count) and \(c.count) elements combined element-wise")
            }
            var out = [Int](repeating: 0, count: n)
            for k in 0..<n {
                let x = ints(l)?[k] ?? int(l) ?? 0, y = ints(r)?[k] ?? int(r) ?? 0
                switch b {
                case .add: out[k] = x &+ y
                case .sub: out[k] = x &- y
                case .mul: out[k] = x &* y
                default:
                    if y == 0 { throw GenericError(kind: .divisionByZero, message: "division by zero") }
                    out[k] = b == .mod ? x % y : x / y
                }
            }
            return .object(.ints(out))
        }
        let a = realsOf(l), c = realsOf(r)
        if let a, let c, a.count != c.count {
            throw GenericError(kind: .indexOutOfRange, message: "arrays of \(a.count) and \(c.count) elements combined element-wise")
        }
        let n = a?.count ?? c?.count ?? 0
        let sa = scalarOf(l) ?? 0, sc = scalarOf(r) ?? 0
        var out = [Double](repeating: 0, count: n)
        for k in 0..<n { out[k] = try arithmetic(b, a?[k] ?? sa, c?[k] ?? sc) }
        return .object(.reals(out))
    case .setIndex:
        guard case .int(let i) = args[1] else { throw GenericError(kind: .other, message: "index must be an Int") }
        switch (args[0], args[2]) {
        case (.object(.reals(var xs)), let v):
            guard i >= 0, i < xs.count, let x = scalarOf(v) else { throw outOfRange(i, xs.count) }
            xs[i] = x
            return .object(.reals(xs))
        case (.object(.ints(var xs)), .int(let n)):
            guard i >= 0, i < xs.count else { throw outOfRange(i, xs.count) }
            xs[i] = n
            return .object(.ints(xs))
        case (.object(.nested(var xs)), .object(let o)):
            guard i >= 0, i < xs.count else { throw outOfRange(i, xs.count) }
            xs[i] = o
            return .object(.nested(xs))
        case (.object(let o), _):
            throw outOfRange(i, o.count)
        default:
            throw GenericError(kind: .other, message: "assignment to an element of a non-array")
        }
    case .builtin(let f):
        return try builtin(f, args, wantsInts: wantsInts)
    }
}

private func outOfRange(_ i: Int, _ n: Int) -> GenericError {
    GenericError(kind: .indexOutOfRange, message: "index \(i) is out of range for an array of \(n) elements")
}

private func matrixArithmetic(_ b: BinaryOp, _ l: RuntimeValue, _ r: RuntimeValue, _ m: Matrix) throws(GenericError) -> Obj {
    switch (matrixOf(l), matrixOf(r)) {
    case (let a?, let c?):
        if b == .mul {
            guard a.columns == c.rows else { throw GenericError(kind: .other, message: "matrix product of \(a.rows)x\(a.columns) and \(c.rows)x\(c.columns)") }
            var out = [Double](repeating: 0, count: a.rows * c.columns)
            for i in 0..<a.rows { for k in 0..<a.columns { let x = a[i, k]; for j in 0..<c.columns { out[i * c.columns + j] += x * c[k, j] } } }
            return .matrix(Matrix(rows: a.rows, columns: c.columns, elements: out))
        }
        guard a.rows == c.rows, a.columns == c.columns else { throw GenericError(kind: .other, message: "matrices of different shapes combined element-wise") }
        return .matrix(Matrix(rows: a.rows, columns: a.columns, elements: try zipArithmetic(b, a.elements, c.elements)))
    case (let a?, nil):
        if let v = realsOf(r) {
            guard v.count == a.columns else { throw GenericError(kind: .other, message: "matrix-vector product of \(a.rows)x\(a.columns) and \(v.count)") }
            var out = [Double](repeating: 0, count: a.rows)
            for i in 0..<a.rows { for k in 0..<a.columns { out[i] += a[i, k] * v[k] } }
            return .reals(out)
        }
        let s = scalarOf(r) ?? 0
        var out: [Double] = []
        for x in a.elements { out.append(try arithmetic(b, x, s)) }
        return .matrix(Matrix(rows: a.rows, columns: a.columns, elements: out))
    case (nil, let c?):
        let s = scalarOf(l) ?? 0
        var out: [Double] = []
        for x in c.elements { out.append(try arithmetic(b, s, x)) }
        return .matrix(Matrix(rows: c.rows, columns: c.columns, elements: out))
    default:
        return .matrix(m)
    }
}

private func zipArithmetic(_ b: BinaryOp, _ a: [Double], _ c: [Double]) throws(GenericError) -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(a.count)
    for (x, y) in zip(a, c) { out.append(try arithmetic(b, x, y)) }
    return out
}

private func builtin(_ f: Builtin, _ args: [RuntimeValue], wantsInts: Bool) throws(GenericError) -> RuntimeValue {
    switch f {
    case .len:
        if case .object(let o) = args[0] { return .int(o.count) }
        return .int(0)
    case .rows, .cols:
        guard let m = matrixOf(args[0]) else { throw GenericError(kind: .other, message: "'\(f.rawValue)' of a non-matrix") }
        return .int(f == .rows ? m.rows : m.columns)
    case .zeros, .ones:
        guard case .int(let n) = args[0], n >= 0 else { throw GenericError(kind: .other, message: "'\(f.rawValue)' needs a non-negative count") }
        return .object(.reals(Array(repeating: f == .ones ? 1 : 0, count: n)))
    case .rep:
        guard case .int(let n) = args[1], n >= 0 else { throw GenericError(kind: .other, message: "'rep' needs a non-negative count") }
        switch args[0] {
        case .real(let x): return .object(.reals(Array(repeating: x, count: n)))
        case .int(let k): return .object(wantsInts ? .ints(Array(repeating: k, count: n)) : .nested([]))
        case .object(let o): return .object(.nested(Array(repeating: o, count: n)))
        }
    case .dot:
        guard let a = realsOf(args[0]), let b = realsOf(args[1]) else { throw GenericError(kind: .other, message: "'dot' needs two arrays") }
        guard a.count == b.count else { throw GenericError(kind: .indexOutOfRange, message: "'dot' of arrays of \(a.count) and \(b.count) elements") }
        return .real(zip(a, b).reduce(0) { $0 + $1.0 * $1.1 })
    case .softmax:
        guard let xs = realsOf(args[0]) else { throw GenericError(kind: .other, message: "'softmax' needs an array") }
        let z = reduce(.logSumExp, xs)
        return .object(.reals(xs.map { Foundation.exp($0 - z) }))
    case .sum, .mean, .logSumExp:
        guard let xs = realsOf(args[0]) else { throw GenericError(kind: .other, message: "'\(f.rawValue)' needs an array") }
        if f == .mean && xs.isEmpty { throw GenericError(kind: .other, message: "mean of an empty array") }
        return .real(reduce(f, xs))
    case .min, .max:
        if args.count == 1 {
            if case .object(.ints(let xs)) = args[0] {
                guard let v = f == .min ? xs.min() : xs.max() else { throw GenericError(kind: .other, message: "'\(f.rawValue)' of an empty array") }
                return .int(v)
            }
            guard let xs = realsOf(args[0]), let v = f == .min ? xs.min() : xs.max() else {
                throw GenericError(kind: .other, message: "'\(f.rawValue)' of an empty array")
            }
            return .real(v)
        }
        return .real(math2(f, scalarOf(args[0]) ?? .nan, scalarOf(args[1]) ?? .nan))
    case .transpose:
        guard let m = matrixOf(args[0]) else { throw GenericError(kind: .other, message: "'transpose' of a non-matrix") }
        var out = [Double](repeating: 0, count: m.rows * m.columns)
        for i in 0..<m.rows { for j in 0..<m.columns { out[j * m.rows + i] = m[i, j] } }
        return .object(.matrix(Matrix(rows: m.columns, columns: m.rows, elements: out)))
    case .cholesky:
        guard let m = matrixOf(args[0]), m.rows == m.columns else { throw GenericError(kind: .other, message: "'cholesky' needs a square matrix") }
        let n = m.rows
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var d = m[j, j]
            for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
            guard d > 0 else { throw GenericError(kind: .other, message: "'cholesky' of a matrix that is not positive definite") }
            l[j * n + j] = d.squareRoot()
            for i in (j + 1)..<max(n, j + 1) {
                var s = m[i, j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / l[j * n + j]
            }
        }
        return .object(.matrix(Matrix(rows: n, columns: n, elements: l)))
    case .toMatrix:
        guard case .object(.nested(let rows)) = args[0] else {
            if case .object(.matrix) = args[0] { return args[0] }
            return .object(.matrix(Matrix(rows: 0, columns: 0, elements: [])))
        }
        let rowValues = rows.map { (row: Obj) -> [Double] in
            switch row { case .reals(let xs): xs; case .ints(let xs): xs.map(Double.init); default: [] }
        }
        let columns = rowValues.first?.count ?? 0
        guard rowValues.allSatisfy({ $0.count == columns }) else { throw GenericError(kind: .other, message: "'to_matrix' of rows of different lengths") }
        return .object(.matrix(Matrix(rows: rowValues.count, columns: columns, elements: rowValues.flatMap { $0 })))
    case .abs where wantsInts:
        if case .object(.ints(let xs)) = args[0] { return .object(.ints(xs.map { Swift.abs($0) })) }
        if case .int(let n) = args[0] { return .int(Swift.abs(n)) }
        throw GenericError(kind: .other, message: "'abs' of a non-number")
    case .pow:
        return .real(Foundation.pow(scalarOf(args[0]) ?? .nan, scalarOf(args[1]) ?? .nan))
    case .toReal:
        if let xs = realsOf(args[0]) { return .object(.reals(xs)) }
        return .real(scalarOf(args[0]) ?? .nan)
    default:
        if let xs = realsOf(args[0]) {
            let ys = xs.map { math1(f, $0) }
            if let bad = zip(xs, ys).first(where: { $0.1.isNaN }) {
                throw GenericError(kind: .notFinite, message: "'\(f.rawValue)' of \(formatReal(bad.0)) is not a number")
            }
            return .object(.reals(ys))
        }
        return .real(math1(f, scalarOf(args[0]) ?? .nan))
    }
}
