import PPLDistributions
import PPLInference

/// independent_normal.ppl written by hand against the Model interface with O(1) local updates:
/// what the engine alone costs per step, with neither the VM nor re-execution behind it.
struct DirectModel: Model {
    let y: [Double]
    let addresses: [Address]
    var facts: ModelFacts { ModelFacts(isStatic: true, hasObservations: true) }

    init(y: [Double]) {
        self.y = y
        self.addresses = y.indices.map { Address("x").appending(index: $0) }
    }

    struct Trace: ModelTrace {
        var x: [Double]
        let y: [Double]
        let addresses: [Address]
        var logPrior: Double
        var logLikelihood: Double
        var latentCount: Int { x.count }
        func latent(_ i: Int) -> ChoiceRecord {
            ChoiceRecord(address: addresses[i], value: .real(x[i]), logDensity: DirectModel.logNormal(x[i], 0), support: .real)
        }
        func latentIndex(of address: Address) -> Int? {
            guard address.root == "x", address.components.count == 2, case .index(let i) = address.components[1],
                  x.indices.contains(i) else { return nil }
            return i
        }
        var observations: [ChoiceRecord] {
            y.indices.map { ChoiceRecord(address: Address("y").appending(index: $0), value: .real(y[$0]),
                                         logDensity: DirectModel.logNormal(y[$0], x[$0]), support: .real) }
        }
        func latentValueAndSupport(_ i: Int) -> (value: Value, support: Support) { (.real(x[i]), .real) }
        func scalarLatents(into values: inout [Double]) -> Bool {
            values = x
            return true
        }
        var deterministic: [(Address, Value)] { [] }
        var returnValue: Value? { nil }
    }

    struct Undo: Sendable { var index: Int; var x: Double; var logPrior: Double; var logLikelihood: Double }

    static func logNormal(_ x: Double, _ mu: Double) -> Double { -0.5 * (x - mu) * (x - mu) - 0.918_938_533_204_672_7 }

    func make(_ x: [Double]) -> Trace {
        var prior = 0.0
        var likelihood = 0.0
        for i in x.indices {
            prior += DirectModel.logNormal(x[i], 0)
            likelihood += DirectModel.logNormal(y[i], x[i])
        }
        return Trace(x: x, y: y, addresses: addresses, logPrior: prior, logLikelihood: likelihood)
    }

    func simulate(using rng: inout RandomStream) throws(ModelError) -> Trace {
        var x: [Double] = []
        for _ in y { x.append(rng.standardNormal()) }
        return make(x)
    }

    func generate(constraints: [Address: Value], using rng: inout RandomStream) throws(ModelError) -> Trace {
        var x: [Double] = []
        for i in y.indices { x.append(constraints[addresses[i]]?.asReal ?? rng.standardNormal()) }
        return make(x)
    }

    func assess(_ choices: [Address: Value]) throws(ModelError) -> Double {
        var x: [Double] = []
        for a in addresses {
            guard let v = choices[a]?.asReal else { throw ModelError(.other, "no value for '\(a)'", address: a) }
            x.append(v)
        }
        return make(x).logJoint
    }

    func update(_ trace: inout Trace, latent i: Int, to value: Value,
                using rng: inout RandomStream) throws(ModelError) -> TraceUpdate<Undo> {
        guard let new = value.asReal else { throw ModelError(.other, "not a real") }
        let undo = Undo(index: i, x: trace.x[i], logPrior: trace.logPrior, logLikelihood: trace.logLikelihood)
        let dPrior = DirectModel.logNormal(new, 0) - DirectModel.logNormal(trace.x[i], 0)
        let dLikelihood = DirectModel.logNormal(y[i], new) - DirectModel.logNormal(y[i], trace.x[i])
        trace.x[i] = new
        trace.logPrior += dPrior
        trace.logLikelihood += dLikelihood
        return TraceUpdate(logWeight: dPrior + dLikelihood, undo: undo)
    }

    func revert(_ trace: inout Trace, _ update: TraceUpdate<Undo>) {
        trace.x[update.undo.index] = update.undo.x
        trace.logPrior = update.undo.logPrior
        trace.logLikelihood = update.undo.logLikelihood
    }

    func makeParticle() -> Int { 0 }
    func advance(_ particle: inout Int, using rng: inout RandomStream) throws(ModelError) -> ParticleStep {
        throw ModelError(.unsupportedByEngine, "the benchmark's direct model has no particles")
    }
    func finalState(of particle: Int) -> (deterministic: [(Address, Value)], returnValue: Value?) { ([], nil) }
    func replay(fixing choices: [Address: Value], throughObservations count: Int,
                using rng: inout RandomStream) throws(ModelError) -> (particle: Int, logJoint: Double, choices: [ChoiceRecord]) {
        throw ModelError(.unsupportedByEngine, "the benchmark's direct model has no particles")
    }
    func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<Trace> {
        throw ModelError(.unsupportedByEngine, "the benchmark's direct model is continuous")
    }
}
