import Foundation
import PPLDistributions
import PPLInference

/// The SSM hand-written against `Model` (the same conformer the SMC tests use), one observation per advance.
///
/// x[0] ~ N(0, 1); x[t] = phi x[t-1] + N(0, sigmaX²); y[t-1] ~ N(x[t], sigmaY²), t = 1..T.
struct HandWrittenSSM: Model {
    let ys: [Double]
    var phi = 0.9, sigmaX = 1.0, sigmaY = 0.5
    let addresses: [Address]
    /// Negative-control switch: weights each step by a wrongly scaled likelihood (sigmaY × 1.5).
    var wrongLikelihood = false

    init(ys: [Double]) {
        self.ys = ys
        addresses = (0...ys.count).map { Address("x").appending(index: $0) }
    }

    struct Particle: Sendable {
        var t = 0
        var x = 0.0
    }

    struct Trace: ModelTrace {
        var latents: [ChoiceRecord]
        var logPrior: Double
        var logLikelihood: Double
        var observations: [ChoiceRecord] { [] }
        var deterministic: [(Address, Value)] { [] }
        var returnValue: Value?
        var latentCount: Int { latents.count }
        func latent(_ index: Int) -> ChoiceRecord { latents[index] }
        func latentIndex(of address: Address) -> Int? { latents.firstIndex { $0.address == address } }
    }

    var facts: ModelFacts { ModelFacts(isStatic: true, hasObservations: !ys.isEmpty) }

    static func logNormal(_ x: Double, _ mu: Double, _ sigma: Double) -> Double {
        let z = (x - mu) / sigma
        return -0.5 * z * z - log(sigma) - 0.918_938_533_204_672_741_780_329_736_4
    }

    func makeParticle() -> Particle { Particle() }

    func advance(_ particle: inout Particle, using rng: inout RandomStream) throws(ModelError) -> ParticleStep {
        // One allocation per step: sized for x[0] and x[t] on the first step, x[t] after.
        var choices: [ChoiceRecord] = []
        choices.reserveCapacity(particle.t == 0 ? 2 : 1)
        if particle.t == 0 {
            particle.x = rng.standardNormal()
            choices.append(ChoiceRecord(address: addresses[0], value: .real(particle.x),
                                        logDensity: Self.logNormal(particle.x, 0, 1), support: .real))
        }
        guard particle.t < ys.count else {
            return ParticleStep(logWeight: 0, choices: choices, observationLocation: nil, finished: true)
        }
        let mean = phi * particle.x
        particle.x = mean + sigmaX * rng.standardNormal()
        particle.t += 1
        choices.append(ChoiceRecord(address: addresses[particle.t], value: .real(particle.x),
                                    logDensity: Self.logNormal(particle.x, mean, sigmaX), support: .real))
        let logWeight = Self.logNormal(ys[particle.t - 1], particle.x, wrongLikelihood ? 1.5 * sigmaY : sigmaY)
        return ParticleStep(logWeight: logWeight, choices: choices, observationLocation: "ssm.ppl:8:5", finished: false)
    }

    /// The same step, consuming the same random numbers, recorded by key into the engine's
    /// recorder: no `ChoiceRecord` or `Address` per step.
    func advance(_ particle: inout Particle, recording step: inout StepRecorder,
                 using rng: inout RandomStream) throws(ModelError) {
        if particle.t == 0 {
            particle.x = rng.standardNormal()
            step.record(ChoiceKey(site: 0, index: 0), value: particle.x, logDensity: Self.logNormal(particle.x, 0, 1))
        }
        guard particle.t < ys.count else {
            step.finished = true
            return
        }
        let mean = phi * particle.x
        particle.x = mean + sigmaX * rng.standardNormal()
        particle.t += 1
        step.record(ChoiceKey(site: 0, index: particle.t), value: particle.x, logDensity: Self.logNormal(particle.x, mean, sigmaX))
        step.logWeight = Self.logNormal(ys[particle.t - 1], particle.x, wrongLikelihood ? 1.5 * sigmaY : sigmaY)
        step.observation = 0
    }

    func describe(_ key: ChoiceKey) -> ChoiceDescription {
        ChoiceDescription(address: addresses[key.index], support: .real, kind: .real)
    }

    func observationLocation(_ observation: Int) -> String? { "ssm.ppl:8:5" }

    func finalState(of particle: Particle) -> (deterministic: [(Address, Value)], returnValue: Value?) {
        ([], .real(particle.x))
    }

    /// Runs from the start with `choices` fixed where given, through `count` observations.
    func replay(fixing choices: [Address: Value], throughObservations count: Int,
                using rng: inout RandomStream) throws(ModelError) -> (particle: Particle, logJoint: Double, choices: [ChoiceRecord]) {
        var particle = Particle()
        var logJoint = 0.0
        var records: [ChoiceRecord] = []
        func choose(_ t: Int, _ mean: Double, _ sd: Double) -> Double {
            let x = choices[addresses[t]]?.asReal ?? (mean + sd * rng.standardNormal())
            let logDensity = Self.logNormal(x, mean, sd)
            logJoint += logDensity
            records.append(ChoiceRecord(address: addresses[t], value: .real(x), logDensity: logDensity, support: .real))
            return x
        }
        particle.x = choose(0, 0, 1)
        while particle.t < min(count, ys.count) {
            particle.x = choose(particle.t + 1, phi * particle.x, sigmaX)
            logJoint += Self.logNormal(ys[particle.t], particle.x, sigmaY)
            particle.t += 1
        }
        return (particle, logJoint, records)
    }

    func simulate(using rng: inout RandomStream) throws(ModelError) -> Trace {
        try generate(constraints: [:], using: &rng)
    }

    func generate(constraints: [Address: Value], using rng: inout RandomStream) throws(ModelError) -> Trace {
        let (particle, logJoint, records) = try replay(fixing: constraints, throughObservations: ys.count, using: &rng)
        let logPrior = records.reduce(0) { $0 + $1.logDensity }
        return Trace(latents: records, logPrior: logPrior, logLikelihood: logJoint - logPrior, returnValue: .real(particle.x))
    }

    func assess(_ choices: [Address: Value]) throws(ModelError) -> Double {
        var rng = RandomStream(seed: 0)
        return try generate(constraints: choices, using: &rng).logJoint
    }

    func update(_ trace: inout Trace, latent index: Int, to value: Value,
                using rng: inout RandomStream) throws(ModelError) -> TraceUpdate<Trace> {
        var fixed: [Address: Value] = [:]
        for record in trace.latents { fixed[record.address] = record.value }
        fixed[trace.latents[index].address] = value
        let old = trace
        trace = try generate(constraints: fixed, using: &rng)
        return TraceUpdate(logWeight: trace.logJoint - old.logJoint, undo: old)
    }

    func revert(_ trace: inout Trace, _ update: TraceUpdate<Trace>) { trace = update.undo }

    func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<Trace> {
        throw ModelError(.unsupportedByEngine, "enumeration needs finite supports, but choice 'x[0]' is continuous", address: addresses[0])
    }
}
