import PPLDistributions
import PPLInference

// Scoring one choice at several values in one pass over its Markov blanket, for enumeration
// Gibbs and conjugate probes (`Model.chooseValue`).
//
// `updateLocally` per value would re-score the blanket once per value and keep an undo record;
// here the choice's own distribution is evaluated once (it cannot depend on the choice's
// value), and each child is re-scored at every value in turn: after the first, only the
// choice's own leaves of its slice change, so only the instructions that read them re-run
// (for `y[i] ~ Normal(means[z[i]], 1)` and a mean, refilling `means` and indexing it). The
// chosen value's densities are kept, so setting it costs no further re-score.

extension CompiledProgram {
    /// `Model.chooseValue` by local re-scoring; false when it does not apply (a non-scalar
    /// choice or value, supports that move with other choices) and the caller must fall back.
    func chooseLocally(_ trace: inout VMTrace, latent index: Int, among values: [Value],
                       choosing choose: (_ logWeights: [Double]) -> Int?) throws(ModelError) -> Bool {
        let id = Int(trace.latentInstances[index])
        guard trace.objectValues.isEmpty || trace.objectValues[id] == nil, values.allSatisfy({ $0.asReal != nil }) else { return false }
        if trace.rescoring == nil { try buildRescoring(&trace) }
        guard let rescoring = trace.rescoring else { return false }
        let start = Int(rescoring.childStart[id]), end = Int(rescoring.childStart[id + 1])
        let memberCount = end - start + 1
        func member(_ r: Int) -> Int { r == 0 ? id : Int(rescoring.children[start + r - 1]) }
        // A child's support may move with the choice (b ~ Uniform(0, a)): left to update/revert, which restore supports.
        // (Only latent children's supports are re-evaluated, so observations need no look-up.)
        if !trace.supports.isEmpty {
            for r in 1..<memberCount where siteKinds[Int(trace.instances[member(r)].site)] == .sample
                && trace.supports[member(r)] != nil { return false }
        }
        let old = trace.instances[id].value
        // A scalar choice's value as a language value, without `VMTrace.value`'s look-up of object values.
        let current = scalarValue(old, type: sites[Int(trace.instances[id].site)].drawType)
        let count = values.count
        // One buffer: densities[k * memberCount + r] (member r with the choice at values[k]), then per value
        // the change of the log prior, of the log likelihood, and its state.
        var buffer = trace.candidateDensities
        trace.candidateDensities = []
        if buffer.count < count * (memberCount + 4) { buffer = [Double](repeating: 0, count: count * (memberCount + 4)) }
        let priorAt = count * memberCount, likelihoodAt = priorAt + count, stateAt = likelihoodAt + count, valueAt = stateAt + count
        let scored = 0.0, rejected = 1.0, unchanged = 2.0
        for k in 0..<count {
            buffer[priorAt + k] = 0
            buffer[likelihoodAt + k] = 0
            buffer[stateAt + k] = values[k] == current ? unchanged : scored
            buffer[valueAt + k] = values[k].asReal ?? old
        }
        if trace.siteScratch.count != sites.count { trace.siteScratch = Array(repeating: SiteScratch(), count: sites.count) }
        // Each site re-scores in its own registers, swapped in while it is scored, so that the next call
        // finds them as this one left them: a label's observation re-runs only what its index changes,
        // and a prior whose inputs did not change keeps its distribution.
        var inScratch: Int32 = -1
        var previousSite: Int32 = -1
        func use(_ site: Int32) {
            guard site != inScratch else { return }
            if inScratch >= 0 {
                trace.siteScratch[Int(inScratch)].valid = previousSite == inScratch
                swap(&trace.scratch, &trace.siteScratch[Int(inScratch)].state)
            }
            swap(&trace.scratch, &trace.siteScratch[Int(site)].state)
            inScratch = site
            previousSite = trace.siteScratch[Int(site)].valid ? site : -1
        }
        func restore() {
            if inScratch >= 0 {
                trace.siteScratch[Int(inScratch)].valid = previousSite == inScratch
                swap(&trace.scratch, &trace.siteScratch[Int(inScratch)].state)
                inScratch = -1
            }
        }
        do throws(ModelError) {
            // The choice itself: one distribution (its inputs cannot include its own value), its density at every value.
            let selfSite = trace.instances[id].site
            use(selfSite)
            do throws(ModelError) {
                let warm = previousSite == selfSite
                previousSite = -1
                let changed = try evaluateSlice(id, &trace, rescoring, reuse: warm)
                let distribution: LiveDistribution
                if warm, changed == 0, let kept = trace.siteScratch[Int(selfSite)].distribution {
                    distribution = kept
                } else {
                    let global = Int(selfSite)
                    distribution = try self.distribution(functions[sites[global].function].sites[sites[global].local],
                                                         &trace.scratch, Int.max, 0, 0, 0)
                    trace.siteScratch[Int(selfSite)].distribution = distribution
                }
                previousSite = selfSite
                for k in 0..<count where buffer[stateAt + k] == scored {
                    let x = buffer[valueAt + k]
                    trace.instances[id].value = x
                    let density = switch distribution {
                    case .scalar(let sd): sd.logDensity(x)
                    case .generic(let any): any.logDensity(x == old ? current : scalarValue(x, type: sites[Int(selfSite)].drawType))
                    }
                    if density.isNaN { buffer[stateAt + k] = rejected; continue }
                    buffer[k * memberCount] = density
                    buffer[priorAt + k] = density - trace.instances[id].logDensity
                }
            } catch {
                trace.siteScratch[Int(selfSite)].distribution = nil
                guard error.rejectsValue else { throw error }
                for k in 0..<count where buffer[stateAt + k] == scored { buffer[stateAt + k] = rejected }
            }
            // The children, one at a time: after the first value, only the choice's own leaves change,
            // so each further value re-runs just the instructions that read them.
            var tablesSite: Int32 = -1
            var t = tables(site: Int(trace.instances[member(min(1, memberCount - 1))].site))
            for r in 1..<memberCount {
                let j = member(r)
                let site = trace.instances[j].site
                use(site)
                if site != tablesSite {
                    t = tables(site: Int(site))
                    tablesSite = site
                    trace.siteScratch[Int(site)].distribution = nil
                }
                let deltaAt = siteKinds[Int(site)] == .sample ? priorAt : likelihoodAt
                // A child that reads the choice only through an array another of its choices indexes elsewhere
                // (an observation of another component) keeps its density at every value: nothing to re-score.
                if independent(j, of: id, t, rescoring, trace) {
                    for k in 0..<count where buffer[stateAt + k] == scored {
                        buffer[k * memberCount + r] = trace.instances[j].logDensity
                    }
                    continue
                }
                var warm = false
                // Alternate directions, so each child starts at the value the previous one ended with
                // and its first re-score finds the choice's leaves unchanged.
                for step in 0..<count {
                    let k = r % 2 == 1 ? step : count - 1 - step
                    guard buffer[stateAt + k] == scored else { continue }
                    trace.instances[id].value = buffer[valueAt + k]
                    let density: Double
                    do throws(ModelError) {
                        let reuse = site == previousSite
                        previousSite = -1
                        if warm {
                            density = try rescoreChangedChoice(j, choice: id, &trace, rescoring, t)
                        } else {
                            density = try rescore(j, &trace, rescoring, reuse: reuse, t)
                            warm = true
                        }
                        previousSite = site
                    } catch {
                        // A failed re-score may leave the slice's registers half updated: never reuse them.
                        warm = false
                        guard error.rejectsValue else { throw error }
                        buffer[stateAt + k] = rejected
                        continue
                    }
                    if density.isNaN { buffer[stateAt + k] = rejected; continue }
                    buffer[k * memberCount + r] = density
                    buffer[deltaAt + k] += density - trace.instances[j].logDensity
                }
            }
        } catch {
            restore()
            trace.instances[id].value = old
            trace.candidateDensities = buffer
            throw error
        }
        restore()
        trace.instances[id].value = old
        var logWeights = trace.candidateWeights
        trace.candidateWeights = []
        logWeights.removeAll(keepingCapacity: true)
        for k in 0..<count {
            let state = buffer[stateAt + k]
            logWeights.append(state == unchanged ? 0 : state == rejected ? -.infinity : buffer[priorAt + k] + buffer[likelihoodAt + k])
        }
        if let chosen = choose(logWeights), (0..<count).contains(chosen), buffer[stateAt + chosen] == scored {
            trace.instances[id].value = buffer[valueAt + chosen]
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

extension CompiledProgram {
    /// Instance `j`'s log density when only choice `id` changed since its slice was last evaluated
    /// into the scratch registers: writes that choice's leaves and re-runs the instructions that read them.
    func rescoreChangedChoice(_ j: Int, choice id: Int, _ trace: inout VMTrace, _ index: RescoringIndex,
                              _ t: SliceTables) throws(ModelError) -> Double {
        // A directly scored site never evaluated its slice into the scratch registers (and needs no slice).
        if directScores[Int(trace.instances[j].site)] != nil { return try rescore(j, &trace, index, reuse: false, t) }
        let fn = t.function
        let slice = t.slice
        var c = Int(index.entries[j].choice)
        let x = trace.instances[id].value
        var changed: UInt64 = 0
        var bit: UInt64 = 1 << UInt64(min(slice.snapshots.count, 63))
        for leaf in slice.choiceLeaves {
            if index.parents[c] == id {
                switch leaf.register.file {
                case .real: trace.scratch.reals[Int(leaf.register.index)] = x
                case .int: trace.scratch.ints[Int(leaf.register.index)] = Int(x)
                case .object: trace.scratch.objects[Int(leaf.register.index)] = toObj(trace.value(id), type: type(of: leaf.register)) ?? .none
                }
                changed |= bit
            }
            c += 1
            bit = bit << 1
        }
        // Masks are all ones beyond 64 leaves: then everything re-runs.
        if slice.snapshots.count + slice.choiceLeaves.count > 64 { changed = .max }
        for (k, code) in slice.code.enumerated() where slice.leafMasks[k] & changed != 0 {
            try executePure(code, &trace.scratch, 0, 0, 0, fn, Int.max)
        }
        return try densityFromScratch(j, &trace, t)
    }
}

/// One site's re-scoring registers between `chooseLocally` calls: whether they hold a completed
/// evaluation of its slice, and the distribution that evaluation gave when its inputs were the choice's own.
struct SiteScratch: Sendable {
    var state = VMState()
    var valid = false
    var distribution: LiveDistribution?
}

extension CompiledProgram {
    /// Whether instance `j` reads choice `id` only through arrays indexed by another of its choices whose
    /// value selects other elements (`LeafSelector`), so that its density does not depend on `id` now.
    func independent(_ j: Int, of id: Int, _ t: SliceTables, _ index: RescoringIndex, _ trace: VMTrace) -> Bool {
        let selectors = t.slice.selectors
        guard !selectors.isEmpty else { return false }
        let first = Int(index.entries[j].choice)
        var reads = false
        for p in selectors.indices where index.parents[first + p] == id {
            guard let selector = selectors[p] else { return false }
            let parent = index.parents[first + selector.selector]
            guard parent != id else { return false }
            if selector.elements.contains(Int(trace.instances[parent].value)) { return false }
            reads = true
        }
        return reads
    }
}
