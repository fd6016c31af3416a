import PPLDistributions

/// What the MH and Gibbs engines share before their first sweep: checking the chain options and
/// finding a starting trace.
enum ChainStart {
    /// Rejects chain options no run can use, naming the engine and the option.
    static func validate(engine: String, samples: Int, warmup: Int?, thin: Int, chains: Int,
                         maxConcurrentChains: Int?) throws(ModelError) {
        if samples < 1 { throw badOption(engine, "samples", "at least 1", String(samples)) }
        if let warmup, warmup < 0 { throw badOption(engine, "warmup", "non-negative", String(warmup)) }
        if thin < 1 { throw badOption(engine, "thin", "at least 1", String(thin)) }
        if chains < 1 { throw badOption(engine, "chains", "at least 1", String(chains)) }
        if let limit = maxConcurrentChains, limit < 1 {
            throw badOption(engine, "maxConcurrentChains", "at least 1", String(limit))
        }
    }

    static func badOption(_ engine: String, _ option: String, _ requirement: String, _ value: String) -> ModelError {
        ModelError(.other, "\(engine): '\(option)' must be \(requirement), got \(value)")
    }

    /// A trace with positive joint density, drawn from the prior or from the given initial values,
    /// in at most `attempts` tries; otherwise an error showing each choice's log density at the
    /// last attempt, so the user sees which choice or observation has zero density.
    static func initialTrace<M: Model>(_ model: M, inits: [Address: Value], attempts: Int, engine: String,
                                       chain: Int, using rng: inout RandomStream) throws(ModelError) -> M.Trace {
        var lastTrace: M.Trace?
        var lastError: ModelError?
        let unknownInit = "\(engine): the initial value names"
        for _ in 0..<max(1, attempts) {
            do throws(ModelError) {
                let trace = inits.isEmpty
                    ? try model.simulate(using: &rng)
                    : try model.generate(constraints: inits, using: &rng)
                for address in inits.keys.sorted() where trace.latentIndex(of: address) == nil {
                    throw ModelError(.other, "\(unknownInit) '\(address)', which is not a latent choice of the model",
                                     address: address)
                }
                if trace.logJoint > -.infinity && !trace.logJoint.isNaN { return trace }
                lastTrace = trace
            } catch {
                if error.message.hasPrefix(unknownInit) { throw error }
                lastError = error
            }
        }
        var lines = ["\(engine): chain \(chain) found no starting point with non-zero density in \(max(1, attempts)) attempts"
                     + (inits.isEmpty ? " from the prior" : " from the given initial values")]
        if let lastTrace { lines += densityTable(lastTrace) }
        if let lastError { lines.append("last error: \(lastError)") }
        lines.append("help: give starting values with `init` (`--init addr=value`), or check the data against the model's supports")
        throw ModelError(lastError?.kind ?? .notFinite, lines.joined(separator: "\n"),
                         location: lastError?.location, address: lastError?.address)
    }

    /// Each latent choice and observation of `trace` with its value, log density and source place.
    private static func densityTable<T: ModelTrace>(_ trace: T) -> [String] {
        var lines = ["log densities at the last attempt:"]
        var rows: [(String, String, String, String)] = [("address", "value", "log density", "at")]
        for k in 0..<trace.latentCount {
            let r = trace.latent(k)
            rows.append((r.address.description, r.value.description, formatReal(r.logDensity), r.location ?? ""))
        }
        for r in trace.observations {
            rows.append((r.address.description + " (observed)", r.value.description, formatReal(r.logDensity), r.location ?? ""))
        }
        let widths = (0..<3).map { c in rows.map { [$0.0, $0.1, $0.2][c].count }.max() ?? 0 }
        for row in rows {
            lines.append("  " + row.0.padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                         + row.1.padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  "
                         + row.2.padding(toLength: widths[2], withPad: " ", startingAt: 0) + "  " + row.3)
        }
        if trace.logLikelihood == -.infinity && trace.logPrior > -.infinity {
            lines.append("note: the prior draws are fine but some observation or factor has zero density")
        }
        return lines
    }
}
