// Gibbs with interleaved kernels vs single-site MH on the same .ppl model through the VM:
// bulk ESS per second of the component means, side by side in one run.
//
// usage: PPLBenchGibbs MODEL.ppl DATA.json [repeats] [gibbsSweeps] [mhSweeps]
import Foundation
import PPLDiagnostics
import PPLDistributions
import PPLInference
import PPLInterpreter
import PPLIR
import PPLPasses
import PPLSema

struct Failure: Error, CustomStringConvertible { var description: String }

func loadModel(_ path: String, _ dataPath: String) throws -> VMModel {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let (checked, diagnostics) = checkSource(SourceFile(name: path, text: text))
    let errors = diagnostics.filter { $0.severity == .error }
    if !errors.isEmpty { throw Failure(description: errors.map(\.description).joined(separator: "\n")) }
    let module = try PassManager([StaticStructure(), RecogniseConjugacy()]).run(Lowering.lower(checked))
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dataPath))) as? [String: Any]
    guard let y = json?["y"] as? [Double] else { throw Failure(description: "\(dataPath): no array 'y'") }
    return try VMModel(module: module, bindings: ["y": .reals(y)])
}

struct Measurement {
    var seconds: Double
    /// CPU time of the process over the run (one thread, so the engine's own time; less sensitive than
    /// wall time to other jobs on a shared machine).
    var cpuSeconds: Double
    var minESS: Double
    var essPerSecond: Double { minESS / seconds }
    var essPerCPUSecond: Double { minESS / cpuSeconds }
}

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// The smallest bulk ESS over mu[0], mu[1], mu[2].
func minimumESS(_ posterior: Posterior) -> Double {
    var smallest = Double.infinity
    for k in 0..<3 {
        guard let c = posterior.columnIndex(of: Address("mu").appending(index: k)) else { return .nan }
        smallest = min(smallest, ChainDiagnostics.bulkEffectiveSampleSize(posterior.draws.map { $0[c] }) ?? .nan)
    }
    return smallest
}

func measure(_ run: () async throws -> Posterior) async throws -> (Measurement, Posterior) {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = processCPUSeconds()
    let posterior = try await run()
    let cpuSeconds = processCPUSeconds() - cpuStart
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return (Measurement(seconds: seconds, cpuSeconds: cpuSeconds, minESS: minimumESS(posterior)), posterior)
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: PPLBenchGibbs MODEL.ppl DATA.json [repeats] [gibbsSweeps] [mhSweeps]")
    exit(64)
}
let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
let gibbsSweeps = arguments.count > 4 ? Int(arguments[4]) ?? 400 : 400
let mhSweeps = arguments.count > 5 ? Int(arguments[5]) ?? 2000 : 2000
let chains = 2
// Both engines start the means at their prior means, so both chains find the labelled mode.
let inits: [Address: Value] = [Address("mu").appending(index: 0): .real(-4), Address("mu").appending(index: 1): .real(0),
                               Address("mu").appending(index: 2): .real(4)]
// Labels first, then means: a first sweep of the means given prior-drawn labels would put every mean near the
// data's overall mean and lose the labelling the inits give.
let schedule = try GibbsSchedule(parsing: "z=enumerate,mu=conjugate")

do {
    let model = try loadModel(arguments[1], arguments[2])
    var gibbsRuns: [Measurement] = []
    var mhRuns: [Measurement] = []
    var chosen = ""
    // Interleaved so that machine load affects both engines alike; one chain at a time (1 thread).
    for r in 0..<repeats {
        let seed = UInt64(100 + r)
        let (g, posterior) = try await measure {
            try await Gibbs(samples: gibbsSweeps, warmup: gibbsSweeps / 2, chains: chains, seed: seed,
                            schedule: schedule, inits: inits, maxConcurrentChains: 1).run(model)
        }
        chosen = posterior.diagnostics.schedule.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
        gibbsRuns.append(g)
        let (m, _) = try await measure {
            try await MetropolisHastings(samples: mhSweeps, warmup: mhSweeps / 2, chains: chains, seed: seed,
                                         inits: inits, maxConcurrentChains: 1).run(model)
        }
        mhRuns.append(m)
        print(String(format: "repeat %d: gibbs %.2f s (%.2f s CPU), min ESS %.0f, %.2f ESS/s | mh %.2f s (%.2f s CPU), min ESS %.0f, %.2f ESS/s",
                     r, g.seconds, g.cpuSeconds, g.minESS, g.essPerSecond, m.seconds, m.cpuSeconds, m.minESS, m.essPerSecond))
    }
    let gibbsRate = median(gibbsRuns.map(\.essPerSecond))
    let mhRate = median(mhRuns.map(\.essPerSecond))
    print("model: \(arguments[1]), data: \(arguments[2]), \(chains) chains run one at a time (1 thread), \(repeats) repeats")
    print("gibbs schedule: \(chosen) (z visited first)")
    let gibbsCPURate = median(gibbsRuns.map(\.essPerCPUSecond))
    let mhCPURate = median(mhRuns.map(\.essPerCPUSecond))
    print(String(format: "%-6@ %8@ %10@ %12@ %12@ %14@ %16@", "engine" as NSString, "sweeps" as NSString, "median s" as NSString,
                 "median CPU s" as NSString, "median ESS" as NSString, "median ESS/s" as NSString, "median ESS/CPU s" as NSString))
    print(String(format: "%-6@ %8d %10.2f %12.2f %12.0f %14.2f %16.2f", "gibbs" as NSString, gibbsSweeps + gibbsSweeps / 2,
                 median(gibbsRuns.map(\.seconds)), median(gibbsRuns.map(\.cpuSeconds)), median(gibbsRuns.map(\.minESS)),
                 gibbsRate, gibbsCPURate))
    print(String(format: "%-6@ %8d %10.2f %12.2f %12.0f %14.2f %16.2f", "mh" as NSString, mhSweeps + mhSweeps / 2,
                 median(mhRuns.map(\.seconds)), median(mhRuns.map(\.cpuSeconds)), median(mhRuns.map(\.minESS)),
                 mhRate, mhCPURate))
    print(String(format: "gibbs / mh ESS per second of the component means (smallest of mu[0..2]): %.1fx wall, %.1fx CPU",
                 gibbsRate / mhRate, gibbsCPURate / mhCPURate))
} catch {
    print("error: \(error)")
    exit(1)
}
