// VM benchmarks (Benchmarks/vm/run.sh): the .ppl models run by the VM through the Model
// interface against the same models hand-written in Swift over the same GSL calls.
import Foundation
import PPLDiagnostics
import PPLDistributions
import PPLInference
import PPLInterpreter
import PPLSema

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func load(_ file: String, _ arguments: [Value]) throws -> VMModel {
    let dir = URL(fileURLWithPath: CommandLine.arguments[1])
    let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
    let (checked, diagnostics) = checkSource(SourceFile(name: file, text: text))
    if diagnostics.contains(where: { $0.severity == .error }) { fatalError("\(diagnostics)") }
    return try VMModel(module: Lowering.lower(checked), arguments: arguments)
}

/// The hand-written model: same draws, same densities, the full trace kept in arrays.
struct HandTrace {
    var x: [Double]
    var latentLogDensity: [Double]
    var observedLogDensity: [Double]
    var logJoint: Double
}

func handWritten(_ y: [Double], using rng: inout RandomStream) throws -> HandTrace {
    let n = y.count
    var trace = HandTrace(x: [], latentLogDensity: [], observedLogDensity: [], logJoint: 0)
    trace.x.reserveCapacity(n)
    trace.latentLogDensity.reserveCapacity(n)
    trace.observedLogDensity.reserveCapacity(n)
    var previous = 0.0
    for t in 0..<n {
        let prior = try Normal(mu: t == 0 ? 0 : 0.9 * previous, sigma: t == 0 ? 1 : 1)
        let x = prior.sample(using: &rng)
        let lp = prior.logDensity(x)
        let ll = try Normal(mu: x, sigma: 0.5).logDensity(y[t])
        trace.x.append(x)
        trace.latentLogDensity.append(lp)
        trace.observedLogDensity.append(ll)
        trace.logJoint += lp + ll
        previous = x
    }
    return trace
}

let T = 1000
var dataRng = RandomStream(seed: 42)
let y = (0..<T).map { _ in dataRng.standardNormal() }
let repeats = Int(ProcessInfo.processInfo.environment["REPEATS"] ?? "") ?? 301
var check = 0.0

let only = ProcessInfo.processInfo.environment["ONLY"]

// 1. Forward run with full trace: VM vs hand-written Swift, interleaved.
if only == nil || only == "forward" {
let lgss = try load("lgss.ppl", [.reals(y)])
var rng = RandomStream(seed: 7)
var vmTimes: [Double] = [], handTimes: [Double] = []
for _ in 0..<repeats {
    var t0 = now()
    let trace = try lgss.simulate(using: &rng)
    vmTimes.append(Double(now() - t0))
    check += trace.logJoint
    precondition(trace.latentCount == T)
    t0 = now()
    let hand = try handWritten(y, using: &rng)
    handTimes.append(Double(now() - t0))
    check += hand.logJoint
}
let choices = Double(2 * T)
let vm = median(vmTimes), hand = median(handTimes)
print("forward run of the \(T)-step LGSS with its full trace, 1 thread, median of \(repeats) interleaved runs")
print(String(format: "  VM (.ppl, simulate)   %9.1f us  %6.1f ns/choice", vm / 1000, vm / choices))
print(String(format: "  hand-written Swift    %9.1f us  %6.1f ns/choice", hand / 1000, hand / choices))
print(String(format: "  ratio VM / hand       %9.2f x   (target <= 5)", vm / hand))
}


// 2. SMC-style stepping: N particles advanced observation by observation, with every particle
//    replaced by a copy of a random one each step (resampling); time per step must not grow with T.
func particleStepTime(steps: Int, particles: Int) throws -> Double {
    let data = Array(y.prefix(steps))
    let model = try load("lgss.ppl", [.reals(data)])
    var generator = RandomStream(seed: 9)
    var population = (0..<particles).map { _ in model.makeParticle() }
    var perStep: [Double] = []
    for _ in 0..<steps {
        let t0 = now()
        for k in 0..<particles { _ = try model.advance(&population[k], using: &generator) }
        population = (0..<particles).map { _ in population[generator.index(below: particles)] }
        perStep.append(Double(now() - t0))
    }
    if ProcessInfo.processInfo.environment["VM_BENCH_DEBUG"] != nil {
        for b in stride(from: 0, to: steps, by: steps / 10) {
            print("  t in \(b)..<\(b + steps / 10): \(median(Array(perStep[b..<(b + steps / 10)])) / 1000) us")
        }
    }
    return median(Array(perStep.suffix(steps / 2)))
}
if only == nil || only == "smc" {
let N = Int(ProcessInfo.processInfo.environment["PARTICLES"] ?? "") ?? 1000
if ProcessInfo.processInfo.environment["VM_BENCH_DEBUG"] != nil { _ = try particleStepTime(steps: 1000, particles: N); exit(0) }
let short = try particleStepTime(steps: 100, particles: N)
let long = try particleStepTime(steps: 1000, particles: N)
print("SMC-style step (advance \(N) particles one observation, then copy-resample), median over the second half")
print(String(format: "  T = 100    %8.1f us/step  %6.1f ns/particle", short / 1000, short / Double(N)))
print(String(format: "  T = 1000   %8.1f us/step  %6.1f ns/particle   ratio %.2f (O(N) per step: ~1)", long / 1000, long / Double(N), long / short))
}

// 3. Single-site updates (the MH inner step) on independent Normals: 100 vs 10,000 dimensions.
func updateTime(dimension: Int) throws -> Double {
    let data = (0..<dimension).map { Double($0 % 7) / 7 }
    let model = try load("independent.ppl", [.reals(data)])
    var generator = RandomStream(seed: 13)
    var trace = try model.simulate(using: &generator)
    _ = try model.update(&trace, latent: 0, to: .real(0), using: &generator)
    let steps = 200_000
    let t0 = now()
    for s in 0..<steps {
        let k = s % dimension
        let proposal = (trace.latent(k).value.asReal ?? 0) + 0.1 * generator.standardNormal()
        let update = try model.update(&trace, latent: k, to: .real(proposal), using: &generator)
        if log(generator.uniformPositive()) >= update.logWeight { model.revert(&trace, update) }
    }
    return Double(now() - t0) / Double(steps)
}
if only == nil || only == "mh" {
let small = try updateTime(dimension: 100)
let large = try updateTime(dimension: 10_000)
print("single-site update + accept/revert on independent Normals (model.update), 200000 steps")
print(String(format: "  d = 100      %6.0f ns/step", small))
print(String(format: "  d = 10000    %6.0f ns/step   ratio %.2f (target <= 2)", large, large / small))
}
if !check.isFinite { print("checksum is not finite") }
