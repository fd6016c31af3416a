// MH benchmark: the same single-site random-walk MH as bench_mh.c, through the Model interface.
//
// Usage: PPLBenchMCMC PATH D SWEEPS SEED
//   PATH = vm     independent_normal.ppl compiled and run by the VM (the path `ppl run` takes)
//   PATH = swift  the same model written as a SwiftModel (re-executes the body on every update)
//   PATH = direct the same model hand-written against the Model interface with O(1) updates:
//                 the engine's own cost per step
// Prints "PATH D ns_per_step acceptance", timing the sampling phase of one chain (draws kept
// included; no warm-up, fixed step 1.0 as in the C program).
import Foundation
import PPL
import PPLDistributions
import PPLInference
import PPLInterpreter

func data(_ d: Int) -> [Double] { (0..<d).map { sin(Double($0 + 1)) * 2 } }

/// The model of independent_normal.ppl, written in Swift.
func swiftModel(_ y: [Double]) -> SwiftModel {
    let addresses = y.indices.map { Address("x").appending(index: $0) }
    return SwiftModel(isStatic: true) { ctx in
        for i in y.indices {
            let x = try ctx.sample(addresses[i], Normal(mu: 0, sigma: 1))
            try ctx.observe(Normal(mu: x, sigma: 1), y[i])
        }
    }
}

/// The .ppl file through the front end and the VM; the place any VM model enters the benchmark.
func vmModel(_ y: [Double]) throws -> VMModel {
    let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    let program = try PPLProgram(contentsOf: here.appendingPathComponent("independent_normal.ppl").path)
    return try VMModel(module: program.module(for: "IndependentNormal"), bindings: ["y": .reals(y)])
}

func measure<M: Model>(_ model: M, sweeps: Int, seed: UInt64) async throws -> (nsPerStep: Double, acceptance: Double) {
    let mh = MetropolisHastings(samples: sweeps, warmup: 0, chains: 1, seed: seed, initialStepSize: 1)
    let posterior = try await mh.run(model)
    let seconds = posterior.diagnostics.extra["samplingSeconds"] ?? .nan
    let steps = posterior.diagnostics.extra["samplingStepsPerChain"] ?? .nan
    let rates = posterior.diagnostics.acceptanceRate.values
    return (seconds * 1e9 / steps, rates.reduce(0, +) / Double(max(1, rates.count)))
}

let arguments = CommandLine.arguments
if arguments.count >= 2 && arguments[1] == "posteriordb" {
    // PPLBenchMCMC posteriordb [FOLDER ...]: the table of issue 6 (not timed; a convergence check).
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    var folders = Array(arguments.dropFirst(2))
    if folders.isEmpty {
        folders = ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Programs/posteriordb").path)) ?? [])
            .filter { $0.hasSuffix(".ppl") }.map { String($0.dropLast(4)) }.sorted()
    }
    print("posterior | params within 4 MCSE and 15% sd | worst |z| | worst sd error | warned | verdict | time")
    for folder in folders {
        do { print(try await PosteriorDBCheck(root: root).run(folder, seed: 1)) } catch { print("\(folder): error: \(error)") }
    }
    exit(0)
}
guard arguments.count == 5, let d = Int(arguments[2]), let sweeps = Int(arguments[3]), let seed = UInt64(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: PPLBenchMCMC vm|swift|direct D SWEEPS SEED, or PPLBenchMCMC posteriordb [FOLDER ...]\n".utf8))
    exit(64)
}
do {
    let y = data(d)
    let result: (nsPerStep: Double, acceptance: Double)
    switch arguments[1] {
    case "vm": result = try await measure(try vmModel(y), sweeps: sweeps, seed: seed)
    case "swift": result = try await measure(swiftModel(y), sweeps: sweeps, seed: seed)
    case "direct": result = try await measure(DirectModel(y: y), sweeps: sweeps, seed: seed)
    default:
        FileHandle.standardError.write(Data("unknown path '\(arguments[1])': use vm, swift, direct or posteriordb\n".utf8))
        exit(64)
    }
    print(arguments[1], d, String(format: "%.2f", result.nsPerStep), String(format: "%.4f", result.acceptance))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
