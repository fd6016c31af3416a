// smc-bench: times PPL's SMC engine on the linear-Gaussian SSM, bootstrap filter with
// paths returned (the Posterior holds every particle's x[0..T]).
//
//   smc-bench --model ppl|ppl-particles|ppl-single|swift [--ppl FILE] --data Y.csv [--T n] --particles N --reps R --seed S
//   smc-bench --check-kalman LOGZ --data Y.csv --particles N     (20 seeds per resampling scheme)
//
// `--model ppl` is the issue's figure: the .ppl file (Benchmarks/smc/ssm_bench.ppl) lowered
// and run by the VM, its population in columns (`VMPopulation`). `--model ppl-particles` runs it
// particle by particle, blocks in lockstep (the same draws). `--model ppl-single` runs it with the VM advancing one particle at a time
// (no lockstep block advance). `--model swift` runs the same model hand-written against `Model`.
// `--T n` with n beyond the file's length extends the series by simulating the model (seed 10000).
import Foundation
import PPL
import PPLDistributions
import PPLInference
import PPLInterpreter

func printError(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

struct Arguments {
    var model = "ppl"
    var pplFile = "Benchmarks/smc/ssm_bench.ppl"
    var data = "../shared/data/ssm/lgssm_T1000.csv"
    var length: Int?
    var particles = 10_000
    var reps = 5
    var seed: UInt64 = 1
    var kalmanLogEvidence: Double?

    init(_ argv: [String]) {
        var i = 1
        func next() -> String { i += 1; return i < argv.count ? argv[i] : "" }
        while i < argv.count {
            switch argv[i] {
            case "--model": model = next()
            case "--ppl": pplFile = next()
            case "--data": data = next()
            case "--T": length = Int(next())
            case "--particles": particles = Int(next()) ?? particles
            case "--reps": reps = Int(next()) ?? reps
            case "--seed": seed = UInt64(next()) ?? seed
            case "--check-kalman": kalmanLogEvidence = Double(next())
            default: printError("unknown argument \(argv[i])\n"); exit(64)
            }
            i += 1
        }
    }
}

/// User + system CPU time of this process, all threads.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPUs this process may run on (`taskset -c 0` makes it 1): the thread count the figures use.
func allowedCPUs() -> Int {
    // The "Cpus_allowed" mask of /proc/self/status (sched_getaffinity is not imported without _GNU_SOURCE).
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
        return ProcessInfo.processInfo.activeProcessorCount
    }
    return line.dropFirst("Cpus_allowed:".count).reduce(0) { $0 + (Int(String($1), radix: 16)?.nonzeroBitCount ?? 0) }
}

func readSeries(_ path: String) -> [Double] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        printError("cannot read \(path)\n"); exit(1)
    }
    return text.split(separator: "\n").dropFirst().compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
}

/// Extends a series to `length` by simulating the model onward from a fresh state.
func extend(_ ys: [Double], to length: Int) -> [Double] {
    guard length > ys.count else { return Array(ys.prefix(length)) }
    var rng = RandomStream(seed: 10_000)
    var out = ys
    var x = rng.standardNormal()
    while out.count < length {
        x = 0.9 * x + rng.standardNormal()
        out.append(x + 0.5 * rng.standardNormal())
    }
    return out
}

func time<M: Model>(_ model: M, _ args: Arguments, steps: Int) async {
    var times: [Double] = [], cpuTimes: [Double] = []
    for r in 0..<args.reps {
        let cpuStart = cpuSeconds()
        let smc = SMC(SMC.Options(particles: args.particles, resampling: .systematic, essThreshold: 0.5,
                                  seed: args.seed + UInt64(r), columns: args.model != "ppl-particles"))
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let posterior = try await smc.run(model)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            times.append(seconds)
            cpuTimes.append(cpuSeconds() - cpuStart)
            let columns = posterior.columns.count
            print(String(format: "swift-%@ rep %d: %.4f s  logZ %.4f  resamplings %d  columns %d",
                         args.model, r, seconds, posterior.logEvidence ?? .nan, posterior.diagnostics.resamplingCount ?? 0, columns))
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }
    let median = times.sorted()[times.count / 2]
    let cpuMedian = cpuTimes.sorted()[cpuTimes.count / 2]
    print(String(format: "swift-%@ median %.6f s  cpu %.6f s  N %d  T %d  threads %d  per step %.1f us  cpu per step %.1f us",
                 args.model, median, cpuMedian, args.particles, steps, allowedCPUs(),
                 median / Double(steps) * 1e6, cpuMedian / Double(steps) * 1e6))
}

/// The issue's check for long series: over 20 seeds, mean log Ẑ within 3 standard errors of
/// the Kalman value, for each resampling scheme (the debug-build tests do it for T = 100).
func checkKalman<M: Model>(_ model: M, _ kalman: Double, _ args: Arguments, steps: Int) async {
    var allPass = true
    for scheme in ResamplingScheme.builtIn {
        var estimates: [Double] = []
        for seed in 0..<20 {
            do {
                let posterior = try await SMC(particles: args.particles, resampling: scheme, seed: UInt64(seed)).run(model)
                estimates.append(posterior.logEvidence ?? .nan)
            } catch {
                print("error: \(error)")
                exit(1)
            }
        }
        let mean = estimates.reduce(0, +) / 20
        let sd = (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 19).squareRoot()
        let standardError = sd / 20.0.squareRoot()
        let pass = abs(mean - kalman) < 3 * standardError
        // Ẑ is unbiased for Z but log Ẑ is not: E[log Ẑ] ≈ log Z - Var(log Ẑ)/2 (Jensen), which
        // is several standard errors once sd(log Ẑ) nears 1. log of the mean Ẑ, with its
        // delta-method standard error, is the check of unbiasedness itself.
        let (logMean, logMeanSE) = LogWeights.logMean(estimates)
        let passUnbiased = abs(logMean - kalman) < 3 * logMeanSE
        allPass = allPass && pass
        print(String(format: "kalman-check %@  T %d  N %d  mean log Z %.4f  Kalman %.4f  se %.4f  sd %.4f  |diff|/se %.2f  %@;  log mean Z %.4f  se %.4f  |diff|/se %.2f  %@",
                     scheme.description, steps,
                     args.particles, mean, kalman, standardError, sd, abs(mean - kalman) / standardError, pass ? "PASS" : "FAIL",
                     logMean, logMeanSE, abs(logMean - kalman) / logMeanSE, passUnbiased ? "PASS" : "FAIL"))
        print("kalman-check \(scheme) estimates " + estimates.map { String(format: "%.4f", $0) }.joined(separator: " "))
        fflush(nil)
    }
    print("kalman-check overall \(allPass ? "PASS" : "FAIL")")
}

let args = Arguments(CommandLine.arguments)
var ys = readSeries(args.data)
if let length = args.length { ys = extend(ys, to: length) }
if let kalman = args.kalmanLogEvidence {
    // `--model swift` checks the hand-written model; otherwise the .ppl file through the VM.
    if args.model == "swift" {
        await checkKalman(HandWrittenSSM(ys: ys), kalman, args, steps: ys.count)
    } else {
        do {
            let module = try PPLProgram(contentsOf: args.pplFile).module(for: "SSM")
            await checkKalman(try VMModel(module: module, bindings: ["y": .reals(ys)]), kalman, args, steps: ys.count)
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }
    exit(0)
}
switch args.model {
case "swift":
    await time(HandWrittenSSM(ys: ys), args, steps: ys.count)
case "ppl", "ppl-particles", "ppl-single":
    do {
        let program = try PPLProgram(contentsOf: args.pplFile)
        let module = try program.module(for: "SSM")
        let model = try VMModel(module: module, bindings: ["y": .reals(ys)])
        if args.model != "ppl-single" {
            await time(model, args, steps: ys.count)
        } else {
            await time(OneAtATime(base: model), args, steps: ys.count)
        }
    } catch {
        print("error: \(error)")
        exit(1)
    }
default:
    printError("--model must be ppl, ppl-particles, ppl-single or swift\n")
    exit(64)
}
