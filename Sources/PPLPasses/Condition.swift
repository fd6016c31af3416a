import PPLDiagnostics
import PPLIR

/// Conditions on latent choices (`given(x = v)`): each given `sample` becomes an `observe` of the
/// value, so its density weights the run and everything downstream reads the value.
///
/// Unlike `Intervene`, the prior of the given choice stays in the density: p(rest | x = v)
/// ∝ p(x = v | parents) p(rest | x = v), which is Bayesian conditioning, not surgery
/// (Pearl 2009, Causality, 1.3.1 on seeing versus doing).
public struct Condition: Pass {
    public static let name = "condition"
    public var conditions: [Intervention]

    /// Each condition must be a value (`x = 1`, `z[3] = 0.5`), not a distribution.
    public init(_ conditions: [Intervention]) { self.conditions = conditions }

    public func run(_ module: inout Module) throws {
        if conditions.isEmpty { return }
        guard let index = module.functionIndex(named: module.entry) else {
            throw PassError(pass: Self.name, "internal error: no entry function '\(module.entry)'")
        }
        let stochastic = conditions.filter { !$0.isHard }
        if !stochastic.isEmpty {
            throw DiagnosticList(stochastic.map {
                .error("'given' needs a value for '\($0.address)', not a distribution", at: $0.span)
            })
        }
        let function = module.functions[index]
        let sites = SiteTable(function, module: module)
        try validateInterventions(conditions, sites: sites, function: function, clause: "given")
        var surgery = Surgery(function: function, sites: sites, interventions: conditions, observeInstead: true)
        module.functions[index] = try surgery.run()
        module.facts = ModuleFacts()
    }
}
