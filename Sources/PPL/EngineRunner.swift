import PPLDistributions
import PPLInference

/// Reads an engine's options, checking names and ranges, so a typo is an error naming the option.
struct OptionReader {
    let engine: String
    var options: [String: OptionValue]
    private(set) var known: [String] = []

    init(_ request: EngineRequest) {
        engine = request.name
        options = request.options
    }

    mutating func count(_ name: String, default value: Int, minimum: Int = 1) throws(PPLError) -> Int {
        known.append(name)
        guard let option = options.removeValue(forKey: name) else { return value }
        guard case .number(let x) = option, x == x.rounded(), x >= Double(minimum), x < 1e12 else {
            throw .usage("\(engine): option '\(name)' must be an integer >= \(minimum), got '\(option)'")
        }
        return Int(x)
    }

    mutating func real(_ name: String, default value: Double, in range: ClosedRange<Double>) throws(PPLError) -> Double {
        known.append(name)
        guard let option = options.removeValue(forKey: name) else { return value }
        guard case .number(let x) = option, range.contains(x) else {
            throw .usage("\(engine): option '\(name)' must be a number in \(range.lowerBound)...\(range.upperBound), got '\(option)'")
        }
        return x
    }

    mutating func choice(_ name: String, default value: String, from choices: [String]) throws(PPLError) -> String {
        known.append(name)
        guard let option = options.removeValue(forKey: name) else { return value }
        guard case .text(let text) = option, choices.contains(text) else {
            throw .usage("\(engine): option '\(name)' must be one of \(choices.joined(separator: ", ")), got '\(option)'")
        }
        return text
    }

    mutating func text(_ name: String) -> String? {
        known.append(name)
        guard let option = options.removeValue(forKey: name) else { return nil }
        return option.description
    }

    /// Fails on any option no reader asked for.
    func finish() throws(PPLError) {
        guard let unknown = options.keys.sorted().first else { return }
        let hint = closestName(to: unknown, among: known).map { "; did you mean '\($0)'?" } ?? ""
        throw .usage("\(engine): unknown option '\(unknown)'\(hint) (options: \(known.joined(separator: ", ")))")
    }
}

/// The engines `ppl run`, the REPL and apps can name (DESIGN.md, Conventions).
public enum EngineName: String, CaseIterable, Sendable {
    case enumerate, lw, smc, mh, gibbs, rank

    public var summary: String {
        switch self {
        case .enumerate: "exact posterior of a finite discrete model"
        case .lw: "likelihood weighting: importance sampling from the prior, with log evidence"
        case .smc: "sequential Monte Carlo: particles advanced observation by observation"
        case .mh: "single-site Metropolis-Hastings over traces, several chains"
        case .gibbs: "Gibbs and interleaved kernels (conjugate, enumeration, slice, MH)"
        case .rank: "Bradley-Terry: Newman's iteration (MLE/MAP) or Caron-Doucet Gibbs (bayes) on a recognised model"
        }
    }
}

/// Runs one engine on one model and returns its posterior.
struct EngineRunner {
    var request: EngineRequest
    var seed: UInt64
    /// Starting values for MCMC chains (`--init addr=value`).
    var inits: [Address: Value] = [:]
    /// Called with the number of steps done, for a progress bar.
    var progress: (@Sendable (Int) -> Void)?

    func run<M: Model>(_ model: M) async throws(PPLError) -> Posterior {
        guard let engine = EngineName(rawValue: request.name) else {
            let hint = closestName(to: request.name, among: EngineName.allCases.map(\.rawValue))
                .map { "; did you mean '\($0)'?" } ?? ""
            throw .usage("unknown engine '\(request.name)'\(hint) (engines: \(EngineName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var options = OptionReader(request)
        do {
            switch engine {
            case .enumerate:
                let limit = try options.count("max_assignments", default: 1_000_000)
                try options.finish()
                return try Enumerate(maximumAssignments: limit, seed: seed).run(model).posterior
            case .lw:
                let particles = try options.count("particles", default: 10_000)
                try options.finish()
                return try await LikelihoodWeighting(particles: particles, seed: seed).run(model)
            case .smc:
                let particles = try options.count("particles", default: 1_000)
                let schemeName = try options.choice("resampling", default: "systematic",
                                                    from: ResamplingScheme.builtIn.map(\.description))
                let threshold = try options.real("ess_threshold", default: 0.5, in: 0...1)
                let rejuvenation = try options.count("rejuvenation", default: 0, minimum: 0)
                let runs = try options.count("runs", default: 1)
                // `columns` (all particles together where the program allows) or `particles`, to compare.
                let advance = try options.choice("advance", default: "columns", from: ["columns", "particles"])
                try options.finish()
                let scheme = ResamplingScheme(name: schemeName) ?? .systematic
                let smc = SMC(SMC.Options(particles: particles, resampling: scheme, essThreshold: threshold,
                                          rejuvenationSteps: rejuvenation, seed: seed, runs: runs,
                                          columns: advance == "columns"),
                              progress: progress)
                return try await smc.run(model)
            case .mh:
                let samples = try options.count("samples", default: 1_000)
                let warmup = try options.count("warmup", default: samples, minimum: 0)
                let thin = try options.count("thin", default: 1)
                let chains = try options.count("chains", default: 4)
                let proposal = try options.choice("proposal", default: "random_walk", from: ["random_walk", "prior", "block"])
                let pointwise = try options.count("log_lik", default: 0, minimum: 0) > 0
                let predictive = try options.count("predictive", default: 0, minimum: 0) > 0
                try options.finish()
                let engine = MetropolisHastings(samples: samples, warmup: warmup, thin: thin, chains: chains, seed: seed,
                                                proposal: proposal == "prior" ? .prior
                                                    : proposal == "block" ? .adaptiveBlock : .adaptiveRandomWalk,
                                                inits: inits, pointwiseLogLikelihood: pointwise,
                                                posteriorPredictive: predictive)
                return try await engine.run(model)
            case .gibbs:
                let samples = try options.count("samples", default: 1_000)
                let warmup = try options.count("warmup", default: samples, minimum: 0)
                let thin = try options.count("thin", default: 1)
                let chains = try options.count("chains", default: 4)
                let kernels = options.text("kernels")
                // `with gibbs(z: enumerate, mu: conjugate)`: options whose value is a kernel name
                // assign that kernel to the address they name (in address order).
                var entries: [(address: Address, kernel: GibbsKernel)] = []
                for (name, value) in options.options.sorted(by: { $0.key < $1.key }) {
                    guard case .text(let text) = value, let kernel = GibbsKernel(rawValue: text),
                          let address = try? Address(parsing: name) else { continue }
                    entries.append((address, kernel))
                    options.options.removeValue(forKey: name)
                }
                try options.finish()
                var schedule = entries.isEmpty ? GibbsSchedule.auto : GibbsSchedule(entries)
                if let kernels {
                    do { schedule = try GibbsSchedule(parsing: kernels) } catch {
                        throw PPLError.usage(error.message)
                    }
                }
                let engine = Gibbs(samples: samples, warmup: warmup, thin: thin, chains: chains, seed: seed,
                                   schedule: schedule, inits: inits)
                return try await engine.run(model)
            case .rank:
                let method = try options.choice("method", default: "auto", from: ["auto"] + BradleyTerryEngine.Method.allCases.map(\.rawValue))
                let prior = try options.choice("prior", default: "model", from: ["model", "none"])
                let component = try options.choice("component", default: "stop", from: ["stop"] + RankingRequest.ComponentPolicy.allCases.map(\.rawValue))
                let tolerance = try options.real("tolerance", default: 1e-12, in: 1e-300...1)
                let maxIterations = try options.count("max_iterations", default: 100_000)
                let samples = try options.count("samples", default: 1_000)
                let warmup = try options.count("warmup", default: samples, minimum: 0)
                let thin = try options.count("thin", default: 1)
                let chains = try options.count("chains", default: 4)
                try options.finish()
                let engine = BradleyTerryEngine(method: BradleyTerryEngine.Method(rawValue: method), usePrior: prior == "model",
                                                component: RankingRequest.ComponentPolicy(rawValue: component),
                                                tolerance: tolerance, maxIterations: maxIterations, samples: samples,
                                                warmup: warmup, thin: thin, chains: chains, seed: seed)
                return try engine.run(model)
            }
        } catch let error as PPLError {
            throw error
        } catch let error as ModelError {
            throw .model(error)
        } catch {
            throw .model(ModelError(.other, "\(error)"))
        }
    }
}

/// The candidate within edit distance 2 (or a third of the name's length) of `name`, for did-you-mean notes.
func closestName(to name: String, among candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let target = Array(name.lowercased())
    let scored = candidates.map { ($0, distance(target, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, name.count / 3) && best.1 < name.count ? best.0 : nil
}
