import PPLDistributions
import PPLInference

// Scoring one choice at several values in one pass over its Markov blanket, for enumeration
// Gibbs and conjugate probes (`Model.chooseValue`).
//
// `updateLocally` per value would re-score the blanket once per value and keep an undo record;
// here the choice's own distribution is evaluated once (it cannot depend on the choice's
// value), and its children are visited in runs of the same site, every value in turn within a
// run, so consecutive re-scores share their slice's registers and re-run only the
// instructions that read the changed choice. The chosen value's densities are kept, so
// setting it costs no further re-score.

extension CompiledProgram {
    /// `Model.chooseValue` by local re-scoring; false when it does not apply (a non-scalar
    /// choice or value, supports that move with other choices) and the caller must fall back.
    func chooseLocally(_ trace: inout VMTrace, latent index: Int, among values: [Value],
                       choosing choose: (_ logWeights: [Double]) -> Int?) throws(ModelError) -> Bool {
        let id = Int(trace.latentInstances[index])
        guard trace.objectValues[id] == nil, values.allSatisfy({ $0.asReal != nil }) else { return false }
        if trace.rescoring == nil { try buildRescoring(&trace) }
        guard let rescoring = trace.rescoring else { return false }
        let start = Int(rescoring.childStart[id]), end = Int(rescoring.childStart[id + 1])
        let memberCount = end - start + 1
        func member(_ r: Int) -> Int { r == 0 ? id : Int(rescoring.children[start + r - 1]) }
        // A child's support may move with the choice (b ~ Uniform(0, a)): left to update/revert, which restore supports.
        if !trace.supports.isEmpty {
            for r in 1..<memberCount where trace.supports[member(r)] != nil { return false }
        }
        let old = trace.instances[id].value
        let current = trace.value(id)
        let count = values.count
        // One buffer: densities[k * memberCount + r] (member r with the choice at values[k]), then per value
        // the change of the log prior, of the log likelihood, and its state.
        var buffer = trace.candidateDensities
        trace.candidateDensities = []
        if buffer.count < count * (memberCount + 3) { buffer = [Double](repeating: 0, count: count * (memberCount + 3)) }
        let priorAt = count * memberCount, likelihoodAt = priorAt + count, stateAt = likelihoodAt + count
        let scored = 0.0, rejected = 1.0, unchanged = 2.0
        for k in 0..<count {
            buffer[priorAt + k] = 0
            buffer[likelihoodAt + k] = 0
            buffer[stateAt + k] = values[k] == current ? unchanged : scored
        }
        var previousSite: Int32 = -1
        do throws(ModelError) {
            // The choice itself: one distribution, its density at every value.
            do throws(ModelError) {
                let distribution = try rescoredDistribution(id, &trace, rescoring, reuse: false)
                previousSite = trace.instances[id].site
                for k in 0..<count where buffer[stateAt + k] == scored {
                    trace.instances[id].value = values[k].asReal ?? old
                    let density = switch distribution {
                    case .scalar(let sd): sd.logDensity(trace.instances[id].value)
                    case .generic(let any): any.logDensity(trace.value(id))
                    }
                    if density.isNaN { buffer[stateAt + k] = rejected; continue }
                    buffer[k * memberCount] = density
                    buffer[priorAt + k] = density - trace.instances[id].logDensity
                }
            } catch {
                guard error.rejectsValue else { throw error }
                for k in 0..<count where buffer[stateAt + k] == scored { buffer[stateAt + k] = rejected }
            }
            var runStart = 1
            while runStart < memberCount {
                let site = trace.instances[member(runStart)].site
                var runEnd = runStart + 1
                while runEnd < memberCount && trace.instances[member(runEnd)].site == site { runEnd += 1 }
                let deltaAt = sites[Int(site)].kind == .sample ? priorAt : likelihoodAt
                for k in 0..<count where buffer[stateAt + k] == scored {
                    trace.instances[id].value = values[k].asReal ?? old
                    for r in runStart..<runEnd {
                        let j = member(r)
                        let density: Double
                        do throws(ModelError) {
                            density = try rescore(j, &trace, rescoring, reuse: site == previousSite)
                            previousSite = site
                        } catch {
                            // A failed re-score may leave the slice's registers half updated: never reuse them.
                            previousSite = -1
                            guard error.rejectsValue else { throw error }
                            buffer[stateAt + k] = rejected
                            break
                        }
                        if density.isNaN { buffer[stateAt + k] = rejected; break }
                        buffer[k * memberCount + r] = density
                        buffer[deltaAt + k] += density - trace.instances[j].logDensity
                    }
                }
                runStart = runEnd
            }
        } catch {
            trace.instances[id].value = old
            trace.candidateDensities = buffer
            throw error
        }
        trace.instances[id].value = old
        var logWeights = trace.candidateWeights
        trace.candidateWeights = []
        logWeights.removeAll(keepingCapacity: true)
        for k in 0..<count {
            let state = buffer[stateAt + k]
            logWeights.append(state == unchanged ? 0 : state == rejected ? -.infinity : buffer[priorAt + k] + buffer[likelihoodAt + k])
        }
        if let chosen = choose(logWeights), (0..<count).contains(chosen), buffer[stateAt + chosen] == scored {
            trace.instances[id].value = values[chosen].asReal ?? old
            for r in 0..<memberCount { trace.instances[member(r)].logDensity = buffer[chosen * memberCount + r] }
            trace.logPrior += buffer[priorAt + chosen]
            trace.logLikelihood += buffer[likelihoodAt + chosen]
            trace.deterministicStale = true
        }
        trace.candidateDensities = buffer
        trace.candidateWeights = logWeights
        return true
    }
}
