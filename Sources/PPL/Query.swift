import PPLDiagnostics
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
    /// `do(...)` bindings as written: `x = 0.5`, `z[3] = 1`, `x = 0.5 * y`, `x ~ Normal(0, 1)`.
    public var interventions: [Binding]
    /// `given(...)` bindings: a latent choice observed at a value (`x = 1`).
    public var conditions: [Binding]
    public var engine: EngineRequest
    /// Report only these addresses (and what they cover); everything when empty.
    public var reports: [Address]
    public var seed: UInt64
    /// Whether this is a `counterfactual` query.
    public var isCounterfactual: Bool
    /// MCMC starting values by address (`--init addr=value`).
    public var inits: [Address: Value] = [:]

    public init(model: String, arguments: [String: Value] = [:], interventions: [Binding] = [],
                conditions: [Binding] = [], engine: EngineRequest, reports: [Address] = [],
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

/// One `addr = value` of a `do(...)` or `given(...)`, as text with the place it was written (nil for flags and Swift callers).
public struct Binding: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var text: String
    public var span: SourceSpan?

    public init(_ text: String, span: SourceSpan? = nil) {
        self.text = text
        self.span = span
    }

    public init(stringLiteral text: String) { self.init(text) }

    public var description: String { text }
}
