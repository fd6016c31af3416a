/// A probability distribution that draws through GSL and scores in log space.
///
/// Conformers are small value types, one family per file, built by a
/// throwing initialiser that validates parameters.
public protocol Distribution: Sendable {
    associatedtype Sample: Sendable
    /// One draw.
    func sample(using rng: inout RandomStream) -> Sample
    /// log p(x); `-infinity` outside the support, never a crash or NaN.
    func logDensity(_ x: Sample) -> Double
    /// Where draws live.
    var support: Support { get }
}

/// The set a distribution's draws live in; MCMC uses it to pick an unconstrained scale.
public enum Support: Sendable, Hashable, CustomStringConvertible {
    case real
    case positive                    // (0, inf)
    case nonNegative                 // [0, inf) for continuous families with mass at 0 boundary
    case unitInterval                // (0, 1)
    case interval(Double, Double)    // (a, b)
    case lowerBounded(Double)        // (a, inf)
    case booleans                    // {0, 1}
    case integers(Int, Int)          // {a, ..., b}, finite
    case naturals                    // {0, 1, 2, ...}
    case simplex(Int)                // K-simplex
    case realVector(Int)             // R^K
    case integerVector(Int, total: Int) // counts summing to total
    case point                       // Dirac: a single value

    /// Whether every value can be listed (for enumeration and uniform discrete proposals).
    public var isFinite: Bool {
        switch self {
        case .booleans, .integers, .point: true
        default: false
        }
    }

    public var isDiscrete: Bool {
        switch self {
        case .booleans, .integers, .naturals, .integerVector, .point: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .real: "real"
        case .positive: "(0, inf)"
        case .nonNegative: "[0, inf)"
        case .unitInterval: "(0, 1)"
        case .interval(let a, let b): "(\(formatReal(a)), \(formatReal(b)))"
        case .lowerBounded(let a): "(\(formatReal(a)), inf)"
        case .booleans: "{0, 1}"
        case .integers(let a, let b): "{\(a), ..., \(b)}"
        case .naturals: "{0, 1, 2, ...}"
        case .simplex(let k): "simplex(\(k))"
        case .realVector(let k): "R^\(k)"
        case .integerVector(let k, let n): "counts(\(k)) summing to \(n)"
        case .point: "a single point"
        }
    }
}

/// A parameter value outside what the family accepts, named for the user.
public struct DistributionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var family: String
    public var parameter: String
    public var message: String

    public init(family: String, parameter: String, _ message: String) {
        self.family = family
        self.parameter = parameter
        self.message = message
    }

    /// `Normal: parameter 'sigma' must be positive, got -1`.
    public var description: String { "\(family): parameter '\(parameter)' \(message)" }
}
