import Foundation
import PPLDistributions

/// Resample-move: Metropolis-Hastings moves on resampled particles, one latent choice per move.
///
/// A move picks one of the particle's n latent choices uniformly, proposes a value (random
/// walk on the unconstrained scale, or a draw from its prior), and re-runs the prefix with
/// `Model.replay`, every other choice fixed, through the particle's observation count:
///
///   log α = log p'(x', y_{1:t}) - log p(x, y_{1:t}) + log q(x | x') - log q(x' | x)
///           - Σ_{fresh} log p'(·) + Σ_{removed} log p(·) + log n - log n'
///
/// (choices that appear or vanish under stochastic control flow are drawn from or returned
/// to their priors, as in Wingate, Stuhlmüller & Goodman 2011). The target is the step's
/// filtering distribution, so the particle weights are unchanged. Cost: each move re-runs
/// the prefix, O(t) at step t, so a run with moves after every resampling costs O(N T²)
/// rather than the bootstrap filter's O(N T); paths are rebuilt from the genealogy (O(N t)).
/// Gilks & Berzuini (2001), "Following a moving target", JRSS B 63.
extension SMCFilter {
    struct Moves: Sendable {
        var overrides: [Int: [Genealogy.Override]] = [:]
        var proposed: [Address: Int] = [:]
        var accepted: [Address: Int] = [:]
    }

    private struct BlockMoves: Sendable {
        var moves = Moves()
        var prefixLogJoint: [(Int, Double)] = []
        var error: ModelError?
    }

    func rejuvenate(_ particles: ParticleBuffer<M.Particle>, genealogy: Genealogy, parents: [Int],
                    finished: [Bool], observationsSeen: [Int], prefixLogJoint: inout [Double],
                    streams: [BlockStream], blockSize: Int) async throws(ModelError) -> Moves {
        let n = particles.count
        // Resampled particles share ancestors: rebuild each distinct path once.
        var pathOf: [Int: [ChoiceRecord]] = [:]
        for a in parents where pathOf[a] == nil { pathOf[a] = genealogy.path(of: a) }
        let scales = options.rejuvenationProposal == .randomWalk ? Self.spreads(parents.map { pathOf[$0] ?? [] }) : [:]
        let paths = pathOf
        let model = self.model
        let steps = options.rejuvenationSteps
        let proposal = options.rejuvenationProposal
        let logJoints = prefixLogJoint

        let blocks = await withTaskGroup(of: (Int, BlockMoves).self) { group in
            for (b, stream) in streams.enumerated() {
                group.addTask {
                    var out = BlockMoves()
                    for j in (b * blockSize)..<min(n, (b + 1) * blockSize) where !finished[j] {
                        let original = paths[parents[j]] ?? []
                        var path = original
                        var logJoint = logJoints[j]
                        do throws(ModelError) {
                            for _ in 0..<steps where !path.isEmpty {
                                let chosen = path[stream.rng.index(below: path.count)]
                                out.moves.proposed[chosen.address, default: 0] += 1
                                if let moved = try Self.move(model, chosen: chosen, path: path, logJoint: logJoint,
                                                             observations: observationsSeen[j], proposal: proposal,
                                                             scale: scales[chosen.address], using: &stream.rng) {
                                    out.moves.accepted[chosen.address, default: 0] += 1
                                    particles.base[j] = moved.particle
                                    path = moved.choices
                                    logJoint = moved.logJoint
                                }
                            }
                        } catch {
                            out.error = error
                            return (b, out)
                        }
                        let overrides = Self.differences(from: original, to: path)
                        if !overrides.isEmpty {
                            out.moves.overrides[j] = overrides
                            out.prefixLogJoint.append((j, logJoint))
                        }
                    }
                    return (b, out)
                }
            }
            var blocks = [BlockMoves](repeating: BlockMoves(), count: streams.count)
            for await (b, block) in group { blocks[b] = block }
            return blocks
        }
        var moves = Moves()
        for block in blocks {
            if let error = block.error { throw error }
            moves.overrides.merge(block.moves.overrides) { a, _ in a }
            for (a, k) in block.moves.proposed { moves.proposed[a, default: 0] += k }
            for (a, k) in block.moves.accepted { moves.accepted[a, default: 0] += k }
            for (j, logJoint) in block.prefixLogJoint { prefixLogJoint[j] = logJoint }
        }
        return moves
    }

    /// One MH move at `chosen`; the new particle, its prefix choices and log joint if accepted, else nil.
    static func move(_ model: M, chosen: ChoiceRecord, path: [ChoiceRecord], logJoint: Double, observations: Int,
                     proposal: SMC.MoveProposal, scale: Double?, using rng: inout RandomStream)
        throws(ModelError) -> (particle: M.Particle, choices: [ChoiceRecord], logJoint: Double)? {
        var fixed: [Address: Value] = [:]
        fixed.reserveCapacity(path.count)
        for record in path { fixed[record.address] = record.value }
        var logRatio = 0.0
        var proposedFresh = true
        if proposal == .randomWalk, let scale, case .real(let x) = chosen.value,
           let (u, logJacobian) = Unconstrained.forward(x, chosen.support) {
            let uNew = u + scale * rng.standardNormal()
            guard let (xNew, logJacobianNew) = Unconstrained.inverse(uNew, chosen.support) else { return nil }
            fixed[chosen.address] = .real(xNew)
            logRatio += logJacobianNew - logJacobian
            proposedFresh = false
        } else {
            fixed[chosen.address] = nil
        }
        let replayed = try model.replay(fixing: fixed, throughObservations: observations, using: &rng)
        guard !replayed.logJoint.isNaN else {
            throw ModelError(.notFinite, "the log joint is NaN after a rejuvenation move at '\(chosen.address)'", address: chosen.address)
        }
        logRatio += replayed.logJoint - logJoint
        var newAddresses: Set<Address> = []
        for record in replayed.choices {
            newAddresses.insert(record.address)
            if record.address == chosen.address {
                if proposedFresh { logRatio += chosen.logDensity - record.logDensity }
            } else if fixed[record.address] == nil {
                logRatio -= record.logDensity
            }
        }
        for record in path where record.address != chosen.address && !newAddresses.contains(record.address) {
            logRatio += record.logDensity
        }
        logRatio += log(Double(path.count)) - log(Double(max(replayed.choices.count, 1)))
        guard replayed.logJoint > -.infinity, log(rng.uniformPositive()) < logRatio else { return nil }
        return (replayed.particle, replayed.choices, replayed.logJoint)
    }

    /// The choices (and densities) that differ between two paths, as genealogy overrides.
    static func differences(from original: [ChoiceRecord], to path: [ChoiceRecord]) -> [Genealogy.Override] {
        var before: [Address: ChoiceRecord] = [:]
        for record in original { before[record.address] = record }
        var overrides: [Genealogy.Override] = []
        var present: Set<Address> = []
        for record in path {
            present.insert(record.address)
            if let old = before[record.address], old.value == record.value, old.logDensity == record.logDensity { continue }
            overrides.append(Genealogy.Override(address: record.address, record: record))
        }
        for record in original where !present.contains(record.address) {
            overrides.append(Genealogy.Override(address: record.address, record: nil))
        }
        return overrides
    }

    /// 2.38 × the standard deviation across particles of each scalar continuous choice on its unconstrained scale.
    ///
    /// Roberts, Gelman & Gilks (1997): 2.38 σ is the optimal one-dimensional random-walk step for a Gaussian target.
    static func spreads(_ paths: [[ChoiceRecord]]) -> [Address: Double] {
        var moments: [Address: (count: Double, sum: Double, sumOfSquares: Double)] = [:]
        for path in paths {
            for record in path {
                guard case .real(let x) = record.value, let (u, _) = Unconstrained.forward(x, record.support) else { continue }
                moments[record.address, default: (0, 0, 0)].count += 1
                moments[record.address, default: (0, 0, 0)].sum += u
                moments[record.address, default: (0, 0, 0)].sumOfSquares += u * u
            }
        }
        var scales: [Address: Double] = [:]
        for (address, m) in moments where m.count > 1 {
            let mean = m.sum / m.count
            let sd = (max(0, m.sumOfSquares / m.count - mean * mean) * m.count / (m.count - 1)).squareRoot()
            if sd > 0, sd.isFinite { scales[address] = 2.38 * sd }
        }
        return scales
    }
}

/// Maps a scalar continuous support to the real line and back, with log |dx/du|.
enum Unconstrained {
    static func forward(_ x: Double, _ support: Support) -> (u: Double, logJacobian: Double)? {
        switch support {
        case .real: return (x, 0)
        case .positive, .nonNegative:
            guard x > 0 else { return nil }
            return (log(x), log(x))
        case .lowerBounded(let a):
            guard x > a else { return nil }
            return (log(x - a), log(x - a))
        case .unitInterval: return forward(x, .interval(0, 1))
        case .interval(let a, let b):
            guard x > a, x < b else { return nil }
            let p = (x - a) / (b - a)
            return (log(p) - log1p(-p), log(b - a) + log(p) + log1p(-p))
        default: return nil
        }
    }

    static func inverse(_ u: Double, _ support: Support) -> (x: Double, logJacobian: Double)? {
        guard u.isFinite else { return nil }
        switch support {
        case .real: return (u, 0)
        case .positive, .nonNegative: return (exp(u), u)
        case .lowerBounded(let a): return (a + exp(u), u)
        case .unitInterval: return inverse(u, .interval(0, 1))
        case .interval(let a, let b):
            // log σ(u) = -log(1 + e^{-u}), log(1 - σ(u)) = -log(1 + e^{u}), stable for large |u|.
            let logP = -log1p(exp(-u)), logQ = -log1p(exp(u))
            let x = a + (b - a) * exp(logP)
            guard x > a, x < b else { return nil }
            return (x, log(b - a) + logP + logQ)
        default: return nil
        }
    }
}
