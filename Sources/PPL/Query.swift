import PPLDistributions
import PPLInference

/// One engine option's value as written in `with engine(opt: value)` or on the command line.
public enum OptionValue: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case text(String)

    public var description: String {
        switch self {
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        case .text(let s): s
        }
    }
}

/// Which engine to run and with what options; options are checked when the engine starts.
public struct EngineRequest: Sendable {
    /// One of DESIGN.md's engine names: `enumerate`, `lw`, `smc`, `mh`, `gibbs`, `rank`.
    public var name: String
    public var options: [String: OptionValue]

    public init(_ name: String, options: [String: OptionValue] = [:]) {
        self.name = name
        self.options = options
    }
}

/// A question put to a model: its arguments, interventions, conditions, engine and what to report.
public struct Query: Sendable {
    public var model: String
    /// Arguments by parameter name (from `infer M(args)`, `--data` or Swift values).
    public var arguments: [String: Value]
    /// `do(addr = value)`: graph surgery before inference.
    public var interventions: [(Address, Value)]
    /// `given(addr = value)`: a latent choice observed at this value.
    public var conditions: [(Address, Value)]
    public var engine: EngineRequest
    /// Report only these addresses (and what they cover); everything when empty.
    public var reports: [Address]
    public var seed: UInt64
    /// Whether this is a `counterfactual` query.
    public var isCounterfactual: Bool
    /// MCMC starting values by address (`--init addr=value`).
    public var inits: [Address: Value] = [:]

    public init(model: String, arguments: [String: Value] = [:], interventions: [(Address, Value)] = [],
                conditions: [(Address, Value)] = [], engine: EngineRequest, reports: [Address] = [],
                seed: UInt64 = 0, isCounterfactual: Bool = false) {
        self.model = model
        self.arguments = arguments
        self.interventions = interventions
        self.conditions = conditions
        self.engine = engine
        self.reports = reports
        self.seed = seed
        self.isCounterfactual = isCounterfactual
    }
}
