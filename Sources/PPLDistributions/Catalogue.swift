/// Static types of language values, as the catalogue states parameter and draw types.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
    case real, int, bool
    case array(ValueType)
    case matrix

    /// Whether a value of type `self` may be passed where `other` is expected (Int widens to Real).
    public func converts(to other: ValueType) -> Bool {
        if self == other { return true }
        switch (self, other) {
        case (.int, .real), (.bool, .int), (.bool, .real): return true
        case (.array(let a), .array(let b)): return a.converts(to: b)
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .real: "Real"
        case .int: "Int"
        case .bool: "Bool"
        case .array(let element): "[\(element)]"
        case .matrix: "Matrix"
        }
    }
}

/// What values a parameter accepts beyond its type.
public enum Constraint: Sendable, Hashable, CustomStringConvertible {
    case none, positive, nonNegative, unitInterval, closedUnitInterval
    case simplex, positiveEntries, positiveDefinite, positiveInteger, nonNegativeInteger

    public var description: String {
        switch self {
        case .none: "any value"
        case .positive: "positive"
        case .nonNegative: "non-negative"
        case .unitInterval: "in (0, 1)"
        case .closedUnitInterval: "in [0, 1]"
        case .simplex: "non-negative and summing to 1"
        case .positiveEntries: "all positive"
        case .positiveDefinite: "symmetric positive definite"
        case .positiveInteger: "a positive integer"
        case .nonNegativeInteger: "a non-negative integer"
        }
    }
}

/// One parameter of a family: its name in error messages and docs, type and constraint.
public struct ParameterSpec: Sendable, Hashable {
    public var name: String
    public var type: ValueType
    public var constraint: Constraint
    public init(_ name: String, _ type: ValueType, _ constraint: Constraint = .none) {
        self.name = name
        self.type = type
        self.constraint = constraint
    }
}

/// A distribution family as the checker, the IR and the engines see it.
public struct Family: Sendable {
    /// The name users write, e.g. `Normal`.
    public var name: String
    public var parameters: [ParameterSpec]
    /// The type of one draw (MultivariateNormal and Dirichlet draw `[Real]`).
    public var drawType: ValueType
    /// Whether draws are discrete (the checker and enumeration need it without parameters).
    public var isDiscrete: Bool
    /// Parameterisation, in one line for the language reference.
    public var summary: String
    /// Builds an instance from evaluated arguments, validating them.
    public var make: @Sendable ([Value]) throws(DistributionError) -> AnyDistribution

    public init(name: String, parameters: [ParameterSpec], drawType: ValueType, isDiscrete: Bool,
                summary: String,
                make: @escaping @Sendable ([Value]) throws(DistributionError) -> AnyDistribution) {
        self.name = name
        self.parameters = parameters
        self.drawType = drawType
        self.isDiscrete = isDiscrete
        self.summary = summary
        self.make = make
    }
}

/// A distribution instance with its sample type erased to `Value`, for the VM and the engines.
public struct AnyDistribution: Sendable {
    public let family: String
    public let support: Support
    private let sampleValue: @Sendable (inout RandomStream) -> Value
    private let scoreValue: @Sendable (Value) -> Double
    /// Every value of a finite support, in order (for enumeration); nil when infinite.
    public let finiteValues: [Value]?

    public init<D: Distribution>(_ family: String, _ distribution: D,
                                 toValue: @escaping @Sendable (D.Sample) -> Value,
                                 fromValue: @escaping @Sendable (Value) -> D.Sample?,
                                 finiteValues: [Value]? = nil) {
        self.family = family
        self.support = distribution.support
        self.sampleValue = { rng in toValue(distribution.sample(using: &rng)) }
        self.scoreValue = { value in
            guard let x = fromValue(value) else { return -.infinity }
            return distribution.logDensity(x)
        }
        self.finiteValues = finiteValues
    }

    public func sample(using rng: inout RandomStream) -> Value { sampleValue(&rng) }

    /// log density of a value; `-infinity` for values of the wrong shape or outside the support.
    public func logDensity(_ value: Value) -> Double { scoreValue(value) }
}

/// The one list of distribution families; the checker, the IR and the engines read it.
public enum Catalogue {
    public static let families: [Family] = [
        Normal.family,
        Bernoulli.family,
    ]

    private static let byName: [String: Family] = Dictionary(
        uniqueKeysWithValues: families.map { ($0.name, $0) })

    public static func family(named name: String) -> Family? { byName[name] }

    public static var names: [String] { families.map(\.name) }
}

/// Argument helpers for `Family.make`.
public enum Arguments {
    public static func real(_ args: [Value], _ i: Int, _ family: String, _ name: String) throws(DistributionError) -> Double {
        guard i < args.count, let x = args[i].asReal else {
            throw DistributionError(family: family, parameter: name, "must be a real number")
        }
        return x
    }

    public static func int(_ args: [Value], _ i: Int, _ family: String, _ name: String) throws(DistributionError) -> Int {
        guard i < args.count, let n = args[i].asInt else {
            throw DistributionError(family: family, parameter: name, "must be an integer")
        }
        return n
    }

    public static func reals(_ args: [Value], _ i: Int, _ family: String, _ name: String) throws(DistributionError) -> [Double] {
        guard i < args.count, let xs = args[i].asReals else {
            throw DistributionError(family: family, parameter: name, "must be an array of reals")
        }
        return xs
    }
}
