import PPLIR
import PPLInference

/// The IR passes a query runs through, in order (DESIGN.md, The pipeline).
///
/// Interventions and conditions come first because they change the graph every
/// later analysis reads; the analyses then record facts the engines use.
struct Pipeline {
    var query: Query

    func passes() -> [any Pass] {
        [StaticStructure()]
    }

    /// Pass names `ppl ir --after` accepts, `lower` first.
    func names() -> [String] { ["lower"] + PassManager(passes()).names }

    func run(_ module: Module, stopAfter: String? = nil) throws(PPLError) -> Module {
        do { return try PassManager(passes()).run(module, stopAfter: stopAfter) } catch let error as PassError {
            throw .usage(error.message)
        } catch {
            throw .usage("\(error)")
        }
    }
}
