import PPLDiagnostics
import PPLDistributions
import PPLIR

/// The passes a query's `do(...)` and `given(...)` clauses ask for, in pipeline order: what the
/// facade puts before the analyses (DESIGN.md, The pipeline).
public enum CausalQuery {
    /// `infer`: intervene, then condition (each a no-op when its clause is empty, so that
    /// `ppl ir --after intervene` always works); `counterfactual`: the twin network.
    public static func passes(interventions: [Intervention], conditions: [Intervention],
                              counterfactual: Bool) -> [any Pass] {
        if counterfactual { return [Counterfactual(facts: conditions, interventions: interventions)] }
        return [Intervene(interventions), Condition(conditions)]
    }

    /// The same from evaluated bindings (`Query.interventions`, `--do smoking=1`): address text and value.
    public static func passes(interventions: [(address: String, value: Value)], conditions: [(address: String, value: Value)],
                              counterfactual: Bool) throws(DiagnosticList) -> [any Pass] {
        var doList: [Intervention] = [], givenList: [Intervention] = []
        for (address, value) in interventions { doList.append(try Intervention(address: address, value: value)) }
        for (address, value) in conditions { givenList.append(try Intervention(address: address, value: value)) }
        return passes(interventions: doList, conditions: givenList, counterfactual: counterfactual)
    }

    /// Pass names `ppl ir --after` accepts for causal queries.
    public static let passNames = [Intervene.name, Condition.name, Counterfactual.name]
}
