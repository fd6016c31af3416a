/// The distribution catalogue: the one list of families that the checker, the IR and the engines read.
///
/// Two ways in:
///
/// - General (any family, any draw type): `Catalogue.family(named: "Gamma")?.make([.real(2), .real(1)])`
///   validates the arguments and returns an `AnyDistribution`, whose `sample(using:)` and
///   `logDensity(_:)` speak `Value`; `finiteValues` lists a finite discrete support (Bernoulli,
///   Binomial, Categorical, DiscreteUniform, Dirac) of at most `Catalogue.maximumEnumeratedValues`
///   values, for enumeration. Each family struct (`Normal`, `Gamma`, ...) is also usable directly,
///   with typed draws: Real for continuous, Int for discrete, [Real] for Dirichlet and
///   MultivariateNormal, [Int] for Multinomial.
///
/// - Fast path for the VM (scalar families only, no allocation, no existentials, no strings):
///   resolve the family once at load time, `let id = Catalogue.family(named: "Gamma")!.id`
///   (or `FamilyID.gamma`), then per call
///   `let d = try ScalarDistribution.make(id, alpha, beta, 0)` and `d.sample(using: &rng)`
///   or `d.logDensity(x)`, all in `Double`. Integer parameters and draws travel as integral
///   Doubles and are validated; unused parameter slots are ignored. `id.isScalar` says
///   whether a family has this path; `id.rawValue` is its index in `Catalogue.families`.
///
/// Parameterisations follow Stan's where there is a choice (rate for Gamma and Exponential,
/// scale for InverseGamma, Stan's NegativeBinomial); Categorical is 0-based; Multinomial takes
/// (n, p). Each family's `summary` states its own.
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
    /// Stable identity; `id.rawValue` is this family's index in `Catalogue.families`.
    public var id: FamilyID
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

    public init(id: FamilyID, name: String, parameters: [ParameterSpec], drawType: ValueType, isDiscrete: Bool,
                summary: String,
                make: @escaping @Sendable ([Value]) throws(DistributionError) -> AnyDistribution) {
        self.id = id
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
    /// Ordered by `FamilyID`, so that `families[id.rawValue].id == id`.
    public static let families: [Family] = FamilyID.allCases.map(\.family)

    /// Finite supports larger than this report `finiteValues == nil` (enumeration would not finish).
    public static let maximumEnumeratedValues = 100_000

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

    /// A matrix, given as a `.matrix` or as a rectangular array of arrays of reals (rows).
    public static func matrix(_ args: [Value], _ i: Int, _ family: String, _ name: String) throws(DistributionError) -> Matrix {
        guard i < args.count else { throw DistributionError(family: family, parameter: name, "must be a matrix") }
        if case .matrix(let m) = args[i] { return m }
        guard let rows = args[i].asArray, !rows.isEmpty else {
            throw DistributionError(family: family, parameter: name, "must be a matrix or a non-empty array of rows")
        }
        var elements: [Double] = []
        var columns = -1
        for row in rows {
            guard let xs = row.asReals else { throw DistributionError(family: family, parameter: name, "must be a matrix or an array of rows of reals") }
            if columns < 0 { columns = xs.count }
            guard xs.count == columns else { throw DistributionError(family: family, parameter: name, "has rows of different lengths") }
            elements.append(contentsOf: xs)
        }
        return Matrix(rows: rows.count, columns: columns, elements: elements)
    }
}

/// Every family, in catalogue order; the raw value is the family's index in `Catalogue.families`.
public enum FamilyID: Int, Sendable, Hashable, CaseIterable {
    case normal, halfNormal, logNormal, studentT, cauchy, halfCauchy, laplace, logistic
    case uniform, exponential, gamma, inverseGamma, beta, chiSquared, weibull, pareto
    case bernoulli, binomial, poisson, geometric, negativeBinomial, categorical, discreteUniform
    case dirichlet, multinomial, multivariateNormal, dirac
    case bradleyTerry, davidson

    /// The catalogue entry.
    public var family: Family {
        switch self {
        case .normal: Normal.family
        case .halfNormal: HalfNormal.family
        case .logNormal: LogNormal.family
        case .studentT: StudentT.family
        case .cauchy: Cauchy.family
        case .halfCauchy: HalfCauchy.family
        case .laplace: Laplace.family
        case .logistic: Logistic.family
        case .uniform: Uniform.family
        case .exponential: Exponential.family
        case .gamma: Gamma.family
        case .inverseGamma: InverseGamma.family
        case .beta: Beta.family
        case .chiSquared: ChiSquared.family
        case .weibull: Weibull.family
        case .pareto: Pareto.family
        case .bernoulli: Bernoulli.family
        case .binomial: Binomial.family
        case .poisson: Poisson.family
        case .geometric: Geometric.family
        case .negativeBinomial: NegativeBinomial.family
        case .categorical: Categorical.family
        case .discreteUniform: DiscreteUniform.family
        case .dirichlet: Dirichlet.family
        case .multinomial: Multinomial.family
        case .multivariateNormal: MultivariateNormal.family
        case .dirac: Dirac.family
        case .bradleyTerry: BradleyTerry.family
        case .davidson: Davidson.family
        }
    }

    /// Whether `ScalarDistribution` covers this family (all parameters and the draw are scalars).
    public var isScalar: Bool {
        switch self {
        case .categorical, .dirichlet, .multinomial, .multivariateNormal: false
        default: true
        }
    }
}
