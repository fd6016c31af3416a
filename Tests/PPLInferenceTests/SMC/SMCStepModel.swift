import Foundation
import PPLDistributions
@testable import PPLInference

/// A test model written as a state machine that stops after each observation, so that
/// it can be a particle; `SMCStepModel` turns it into a full `Model`.
protocol StepProgram: Sendable {
    associatedtype State: Sendable
    var start: State { get }
    var isStatic: Bool { get }
    var hasObservations: Bool { get }
    /// Runs from `state` through its next observation or to the end; nil return value while not finished.
    func step(_ state: inout State, _ choices: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepEnd
}

enum StepEnd {
    case observed(location: String)
    case finished(returnValue: Value?)
}

/// Makes (or reads back, when fixed) the choices of one run and totals their densities.
struct ChoiceMaker {
    var fixed: [Address: Value]
    /// In explore mode an unfixed choice stops the run and is reported as a branch.
    var exploring = false
    var branch: (Address, [Value])?
    var made: [ChoiceRecord] = []
    var logPrior = 0.0
    var logLikelihood = 0.0
    var observations: [ChoiceRecord] = []

    init(fixed: [Address: Value] = [:]) { self.fixed = fixed }

    static let branchMarker = "explore: unfixed choice"

    mutating func real(_ address: Address, support: Support = .real, logDensity: (Double) -> Double,
                       draw: (inout RandomStream) -> Double, using rng: inout RandomStream) throws(ModelError) -> Double {
        let x: Double
        if !fixed.isEmpty, let value = fixed[address] {
            guard let r = value.asReal else { throw ModelError(.other, "choice '\(address)' needs a real, got \(value)", address: address) }
            x = r
        } else {
            if exploring { throw ModelError(.unsupportedByEngine, "enumeration needs finite supports, but choice '\(address)' is continuous on \(support)", location: "test.ppl:1:1", address: address) }
            x = draw(&rng)
        }
        let density = logDensity(x)
        made.append(ChoiceRecord(address: address, value: .real(x), logDensity: density, support: support))
        logPrior += density
        return x
    }

    mutating func int(_ address: Address, support: Support, values: [Int], logDensity: (Int) -> Double,
                      draw: (inout RandomStream) -> Int, using rng: inout RandomStream) throws(ModelError) -> Int {
        let k: Int
        if !fixed.isEmpty, let value = fixed[address] {
            guard let n = value.asInt else { throw ModelError(.other, "choice '\(address)' needs an integer, got \(value)", address: address) }
            k = n
        } else {
            if exploring {
                branch = (address, values.map(Value.int))
                throw ModelError(.other, Self.branchMarker)
            }
            k = draw(&rng)
        }
        let density = logDensity(k)
        made.append(ChoiceRecord(address: address, value: .int(k), logDensity: density, support: support))
        logPrior += density
        return k
    }

    mutating func observe(_ address: Address, _ value: Value, logDensity: Double) {
        logLikelihood += logDensity
        observations.append(ChoiceRecord(address: address, value: value, logDensity: logDensity, support: .real))
    }
}

struct StepTrace: ModelTrace {
    var latents: [ChoiceRecord]
    var logPrior: Double
    var logLikelihood: Double
    var observations: [ChoiceRecord]
    var returnValue: Value?
    var deterministic: [(Address, Value)] { [] }
    var latentCount: Int { latents.count }
    func latent(_ index: Int) -> ChoiceRecord { latents[index] }
    func latentIndex(of address: Address) -> Int? { latents.firstIndex { $0.address == address } }
}

struct StepParticle<State: Sendable>: Sendable {
    var state: State
    var observationsSeen = 0
    var finished = false
    var returnValue: Value?
}

/// Every `Model` requirement from a `StepProgram`, re-running whole programs where a VM would be cleverer.
struct SMCStepModel<Program: StepProgram>: Model {
    typealias Particle = StepParticle<Program.State>
    let program: Program

    init(_ program: Program) { self.program = program }

    var facts: ModelFacts { ModelFacts(isStatic: program.isStatic, hasObservations: program.hasObservations) }

    private func runToEnd(_ maker: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepTrace {
        var state = program.start
        while true {
            if case .finished(let value) = try program.step(&state, &maker, using: &rng) {
                return StepTrace(latents: maker.made, logPrior: maker.logPrior, logLikelihood: maker.logLikelihood,
                                 observations: maker.observations, returnValue: value)
            }
        }
    }

    func simulate(using rng: inout RandomStream) throws(ModelError) -> StepTrace {
        var maker = ChoiceMaker()
        return try runToEnd(&maker, using: &rng)
    }

    func generate(constraints: [Address: Value], using rng: inout RandomStream) throws(ModelError) -> StepTrace {
        var maker = ChoiceMaker(fixed: constraints)
        return try runToEnd(&maker, using: &rng)
    }

    func assess(_ choices: [Address: Value]) throws(ModelError) -> Double {
        var rng = RandomStream(seed: 0)
        let trace = try generate(constraints: choices, using: &rng)
        for record in trace.latents where choices[record.address] == nil {
            throw ModelError(.other, "assess: choice '\(record.address)' is not given", address: record.address)
        }
        return trace.logJoint
    }

    func update(_ trace: inout StepTrace, latent index: Int, to value: Value,
                using rng: inout RandomStream) throws(ModelError) -> TraceUpdate<StepTrace> {
        var fixed: [Address: Value] = [:]
        for record in trace.latents { fixed[record.address] = record.value }
        let target = trace.latents[index].address
        fixed[target] = value
        let old = trace
        let new = try generate(constraints: fixed, using: &rng)
        let newAddresses = Set(new.latents.map(\.address))
        var logWeight = new.logJoint - old.logJoint
        for record in new.latents where record.address != target && fixed[record.address] == nil { logWeight -= record.logDensity }
        for record in old.latents where !newAddresses.contains(record.address) { logWeight += record.logDensity }
        trace = new
        return TraceUpdate(logWeight: logWeight, undo: old)
    }

    func revert(_ trace: inout StepTrace, _ update: TraceUpdate<StepTrace>) { trace = update.undo }

    func makeParticle() -> Particle { Particle(state: program.start) }

    func advance(_ particle: inout Particle, using rng: inout RandomStream) throws(ModelError) -> ParticleStep {
        var maker = ChoiceMaker()
        switch try program.step(&particle.state, &maker, using: &rng) {
        case .observed(let location):
            particle.observationsSeen += 1
            return ParticleStep(logWeight: maker.logLikelihood, choices: maker.made, observationLocation: location, finished: false)
        case .finished(let value):
            particle.finished = true
            particle.returnValue = value
            return ParticleStep(logWeight: maker.logLikelihood, choices: maker.made, observationLocation: nil, finished: true)
        }
    }

    func finalState(of particle: Particle) -> (deterministic: [(Address, Value)], returnValue: Value?) {
        ([], particle.returnValue)
    }

    func replay(fixing choices: [Address: Value], throughObservations count: Int,
                using rng: inout RandomStream) throws(ModelError) -> (particle: Particle, logJoint: Double, choices: [ChoiceRecord]) {
        var particle = makeParticle()
        var maker = ChoiceMaker(fixed: choices)
        while particle.observationsSeen < count && !particle.finished {
            switch try program.step(&particle.state, &maker, using: &rng) {
            case .observed: particle.observationsSeen += 1
            case .finished(let value): particle.finished = true; particle.returnValue = value
            }
        }
        return (particle, maker.logPrior + maker.logLikelihood, maker.made)
    }

    func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<StepTrace> {
        var maker = ChoiceMaker(fixed: choices)
        maker.exploring = true
        var rng = RandomStream(seed: 0)
        do throws(ModelError) {
            return .complete(try runToEnd(&maker, using: &rng))
        } catch {
            if let (address, values) = maker.branch, error.message == ChoiceMaker.branchMarker {
                return .branch(address, values)
            }
            throw error
        }
    }
}
