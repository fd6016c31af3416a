import PPLDiagnostics
import PPLDistributions

/// A literal scalar.
public enum Constant: Sendable, Hashable {
    case real(Double)
    case int(Int)
    case bool(Bool)
}

public enum UnaryOp: String, Sendable, Hashable { case neg, not }

public enum BinaryOp: String, Sendable, Hashable, CaseIterable {
    case add, sub, mul, div, mod, pow
    case lt, le, gt, ge, eq, ne
    case and, or

    /// The operator as printed in IR facts and intervention values (`^` for pow, which `.ppl` writes `pow(x, y)`).
    public var symbol: String {
        switch self {
        case .add: "+"
        case .sub: "-"
        case .mul: "*"
        case .div: "/"
        case .mod: "%"
        case .pow: "^"
        case .lt: "<"
        case .le: "<="
        case .gt: ">"
        case .ge: ">="
        case .eq: "=="
        case .ne: "!="
        case .and: "&&"
        case .or: "||"
        }
    }
}

/// Built-in functions; the checker decides which apply to which argument types, and
/// those marked element-wise also map over arrays.
public enum Builtin: String, Sendable, Hashable, CaseIterable {
    case exp, log, log1p, expm1, logistic, logit, sqrt, abs, lgamma, floor, ceil
    case pow, min, max
    case logSumExp = "log_sum_exp"
    case sum, mean, len, softmax, dot, transpose, cholesky, rep, zeros, ones
    case toMatrix = "to_matrix"
    case rows, cols
    case toReal = "real"
}

/// One part of a structured address: a name, or an index computed at run time.
public enum AddressComponent: Sendable, Hashable {
    case name(String)
    case index(ValueID)
}

/// The address a choice is recorded at, e.g. `z[%i]`; calls prefix it at run time with `f[k].`.
public struct AddressExpr: Sendable, Hashable {
    public var components: [AddressComponent]
    public init(_ components: [AddressComponent]) { self.components = components }
    public init(_ name: String, _ indices: [ValueID] = []) {
        self.components = [.name(name)] + indices.map(AddressComponent.index)
    }
    public var root: String {
        if case .name(let n)? = components.first { return n }
        return ""
    }
    public var indexValues: [ValueID] {
        components.compactMap { if case .index(let v) = $0 { v } else { nil } }
    }
}

/// A counted loop `for %i in lower ..< upper`, with loop-carried values (MLIR's scf.for).
///
/// The body region's arguments are the induction variable then one value per carried value;
/// the body ends in `yield` with the next carried values; the instruction's results are the final ones.
public struct ForLoop: Sendable, Hashable {
    public var lower: ValueID
    public var upper: ValueID
    public var initial: [ValueID]
    public var body: Region
    public init(lower: ValueID, upper: ValueID, initial: [ValueID] = [], body: Region) {
        self.lower = lower
        self.upper = upper
        self.initial = initial
        self.body = body
    }
}

/// `if`: both regions end in `yield` with one value per result.
public struct IfElse: Sendable, Hashable {
    public var condition: ValueID
    public var then: Region
    public var otherwise: Region
    public init(condition: ValueID, then: Region, otherwise: Region) {
        self.condition = condition
        self.then = then
        self.otherwise = otherwise
    }
}

/// `while` with carried values and a step bound: `before` (arguments: carried) ends in
/// `condition %c, values...`; `body` (arguments: those values) ends in `yield`.
/// Running more than `maxIterations` times is a run-time error.
public struct WhileLoop: Sendable, Hashable {
    public var initial: [ValueID]
    public var before: Region
    public var body: Region
    public var maxIterations: Int
    public init(initial: [ValueID], before: Region, body: Region, maxIterations: Int) {
        self.initial = initial
        self.before = before
        self.body = body
        self.maxIterations = maxIterations
    }
}

/// The operations of the IR.
public enum Op: Sendable, Hashable {
    case constant(Constant)
    case unary(UnaryOp, ValueID)
    case binary(BinaryOp, ValueID, ValueID)
    /// Int or Bool widened to Real (element-wise on arrays).
    case toReal(ValueID)
    /// Bool to Int, or Int to Bool (non-zero is true): the result type says which.
    case convert(ValueID)
    case builtin(Builtin, [ValueID])
    /// An array literal `[a, b, c]`.
    case array([ValueID])
    /// `a[i]`, 0-based.
    case index(ValueID, ValueID)
    /// Draws a latent choice at an address.
    case sample(AddressExpr, family: String, arguments: [ValueID])
    /// Scores `value` under the distribution; the address names the observation.
    case observe(AddressExpr, family: String, arguments: [ValueID], value: ValueID)
    /// Adds a log weight.
    case factor(ValueID)
    /// Reads a latent choice made earlier in this call, e.g. `x[t-1]` after `x[t] ~ ...`.
    case load(AddressExpr)
    /// The latent choices `name[0], name[1], ...` made so far in this call, as an array.
    case gather(String)
    /// Reports a named deterministic quantity (a model-level `let`) with the choices,
    /// at an address carrying the enclosing loop indices.
    case report(AddressExpr, ValueID)
    /// A copy of array `a` with element `i` set to `v` (assignment to an element of a `var`).
    case setIndex(ValueID, ValueID, ValueID)
    case call(String, [ValueID])
    case forLoop(ForLoop)
    case ifElse(IfElse)
    case whileLoop(WhileLoop)
    /// Ends a loop body or an `if` branch with the values it passes on.
    case yield([ValueID])
    /// Ends a `while` loop's `before` region.
    case condition(ValueID, [ValueID])
    case ret(ValueID?)

    /// The values this instruction reads directly (not those of nested regions).
    public var operands: [ValueID] {
        switch self {
        case .constant, .gather: []
        case .unary(_, let a), .toReal(let a), .convert(let a), .factor(let a): [a]
        case .report(let address, let a): address.indexValues + [a]
        case .setIndex(let a, let i, let v): [a, i, v]
        case .binary(_, let a, let b), .index(let a, let b): [a, b]
        case .builtin(_, let xs), .array(let xs), .call(_, let xs), .yield(let xs): xs
        case .sample(let address, _, let args): address.indexValues + args
        case .observe(let address, _, let args, let value): address.indexValues + args + [value]
        case .load(let address): address.indexValues
        case .forLoop(let loop): [loop.lower, loop.upper] + loop.initial
        case .ifElse(let branch): [branch.condition]
        case .whileLoop(let loop): loop.initial
        case .condition(let c, let xs): [c] + xs
        case .ret(let v): v.map { [$0] } ?? []
        }
    }

    /// The nested regions, in order.
    public var regions: [Region] {
        switch self {
        case .forLoop(let loop): [loop.body]
        case .ifElse(let branch): [branch.then, branch.otherwise]
        case .whileLoop(let loop): [loop.before, loop.body]
        default: []
        }
    }

    public var isStochastic: Bool {
        switch self {
        case .sample, .observe, .factor: true
        default: false
        }
    }
}
