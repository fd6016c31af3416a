import PPLDiagnostics
import PPLIR
import PPLInference
import PPLPasses

/// The IR passes a query runs through, in order (DESIGN.md, The pipeline).
///
/// Interventions and conditions come first because they change the graph every later
/// analysis reads; a counterfactual query instead builds its twin network. The analyses
/// then record facts the engines use (static structure, conjugate pairs, Bradley-Terry comparisons).
struct Pipeline {
    var query: Query

    func interventions() throws(PPLError) -> (interventions: [Intervention], conditions: [Intervention]) {
        func parse(_ bindings: [Binding]) throws(PPLError) -> [Intervention] {
            var out: [Intervention] = []
            for binding in bindings {
                do { out.append(try Intervention.parse(binding.text, span: binding.span)) } catch {
                    throw .diagnostics(error.diagnostics)
                }
            }
            return out
        }
        return (try parse(query.interventions), try parse(query.conditions))
    }

    func passes() throws(PPLError) -> [any Pass] {
        let (interventions, conditions) = try interventions()
        let surgery: [any Pass] = query.isCounterfactual
            ? [Counterfactual(facts: conditions, interventions: interventions)]
            : [Intervene(interventions), Condition(conditions)]
        return surgery + [StaticStructure(), Dependencies(), MarkovBlankets(), RecogniseConjugacy(), RecogniseBradleyTerry()]
    }

    /// Pass names `ppl ir --after` accepts, `lower` first.
    func names() throws(PPLError) -> [String] { ["lower"] + PassManager(try passes()).names }

    func run(_ module: Module, stopAfter: String? = nil) throws(PPLError) -> Module {
        do { return try PassManager(try passes()).run(module, stopAfter: stopAfter) } catch let error as PPLError {
            throw error
        } catch let error as DiagnosticList {
            throw .diagnostics(error.diagnostics)
        } catch let error as PassError {
            throw .usage(error.message)
        } catch {
            throw .usage("\(error)")
        }
    }

    /// The dependency graph of the query's model in Graphviz dot, interventions' cut edges marked.
    func dependencyGraph(_ module: Module) throws(PPLError) -> String {
        let (interventions, _) = try interventions()
        do { return try InterventionGraph.dot(module, interventions: interventions) } catch let error as DiagnosticList {
            throw .diagnostics(error.diagnostics)
        } catch {
            throw .usage("\(error)")
        }
    }
}
