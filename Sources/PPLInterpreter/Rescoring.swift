import PPLDistributions
import PPLInference

/// Records, per choice instance, what local re-scoring needs (filled in with the rescoring design).
struct RescoringRecorder {
    mutating func record(_ spec: SiteSpec, instance: Int, _ s: VMState, _ rb: Int, _ ib: Int, _ ob: Int) {}
}

/// Per-instance dependency data of a static trace.
struct RescoringIndex: Sendable {}

/// What a local update changed: the choice's old value and the densities it re-scored.
public struct LocalUndo: Sendable {
    var instance: Int
    var oldValue: Double
    var oldLogPrior: Double
    var oldLogLikelihood: Double
    var oldDensities: [(Int, Double)]
    var wasStale: Bool
}

extension CompiledProgram {
    var rescoringSupported: Bool { false }

    func updateLocally(_ trace: inout VMTrace, latent index: Int, to value: Value) throws(ModelError) -> TraceUpdate<VMUndo> {
        throw ModelError(.other, "internal error: local updates are not available")
    }

    func revertLocally(_ trace: inout VMTrace, _ undo: LocalUndo) {}
}
