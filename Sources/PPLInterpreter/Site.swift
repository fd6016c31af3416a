import PPLDistributions
import PPLInference

/// A distribution instance evaluated from registers, unboxed for scalar families.
enum LiveDistribution: Sendable {
    case scalar(ScalarDistribution)
    case generic(AnyDistribution)

    var support: Support {
        switch self {
        case .scalar(let d): d.support
        case .generic(let d): d.support
        }
    }

    /// Every value of a finite support, for enumeration; nil when infinite.
    var finiteValues: [Value]? {
        switch self {
        case .scalar(let d):
            switch d.support {
            case .booleans: return [.int(0), .int(1)]
            case .integers(let a, let b) where b >= a && b - a < 100_000: return (a...b).map { .int($0) }
            case .point:
                if case .dirac(let x) = d { return [.real(x.x)] }
                return nil
            default: return nil
            }
        case .generic(let d): return d.finiteValues
        }
    }
}

extension CompiledProgram {
    @inline(__always)
    func readReal(_ r: Reg, _ s: inout VMState, _ rb: Int, _ ib: Int) -> Double {
        r.file == .real ? s.reals[rb + Int(r.index)] : Double(s.ints[ib + Int(r.index)])
    }

    /// The address of the choice a site is making now, for errors and exported records.
    func currentAddress(_ spec: SiteSpec, _ s: inout VMState, _ fi: Int, _ ib: Int) -> Address {
        var components = prefixComponents(prefixOf(s, fi))
        for part in spec.address {
            switch part {
            case .name(let id): components.append(.name(names[id]))
            case .index(let r): components.append(.index(s.ints[ib + Int(r)]))
            }
        }
        return Address(components)
    }

    func currentKey(_ spec: SiteSpec, _ s: inout VMState, _ fi: Int, _ ib: Int) -> AddressKey {
        var parts = prefixKey(s.frames[fi].prefix)
        for part in spec.address {
            switch part {
            case .name(let id): parts.append(-(id + 1))
            case .index(let r): parts.append(s.ints[ib + Int(r)])
            }
        }
        return AddressKey(parts: parts)
    }

    /// Builds the site's distribution from its argument registers, naming the address on bad parameters.
    func distribution(_ spec: SiteSpec, _ s: inout VMState, _ fi: Int, _ rb: Int, _ ib: Int, _ ob: Int) throws(ModelError) -> LiveDistribution {
        do {
            switch spec.family {
            case .scalar(let id):
                let n = spec.arguments.count
                let a = n > 0 ? readReal(spec.arguments[0], &s, rb, ib) : 0
                let b = n > 1 ? readReal(spec.arguments[1], &s, rb, ib) : 0
                let c = n > 2 ? readReal(spec.arguments[2], &s, rb, ib) : 0
                return .scalar(try ScalarDistribution.make(id, a, b, c))
            case .generic(let family):
                return .generic(try family.make(spec.arguments.map { value(of: $0, s, rb, ib, ob) }))
            }
        } catch {
            throw ModelError(.badParameter(error), error.description, location: spec.location,
                             address: currentAddress(spec, &s, fi, ib))
        }
    }

    /// A scalar family's instance from the argument registers, naming the address on bad parameters.
    @inline(__always)
    func scalarDistribution(_ id: FamilyID, _ spec: SiteSpec, _ s: inout VMState, _ fi: Int, _ rb: Int, _ ib: Int) throws(ModelError) -> ScalarDistribution {
        let n = spec.arguments.count
        let a = n > 0 ? readReal(spec.arguments[0], &s, rb, ib) : 0
        let b = n > 1 ? readReal(spec.arguments[1], &s, rb, ib) : 0
        let c = n > 2 ? readReal(spec.arguments[2], &s, rb, ib) : 0
        do {
            return try ScalarDistribution.make(id, a, b, c)
        } catch {
            throw ModelError(.badParameter(error), error.description, location: spec.location,
                             address: currentAddress(spec, &s, fi, ib))
        }
    }

    /// Runs a scalar site drawn from its prior or observed, the common case, without reference counting.
    @inline(__always)
    func hotSite(_ hot: HotSite, _ s: inout VMState, _ fi: Int, _ rb: Int, _ ib: Int,
                 _ ctx: inout RunContext, _ rng: inout RandomStream) throws(ModelError) -> Bool {
        guard let id = hot.family else { return false }
        let n = hot.argumentCount
        let a = n > 0 ? readReal(hot.a0, &s, rb, ib) : 0
        let b = n > 1 ? readReal(hot.a1, &s, rb, ib) : 0
        let c = n > 2 ? readReal(hot.a2, &s, rb, ib) : 0
        let sd: ScalarDistribution
        do { sd = try ScalarDistribution.make(id, a, b, c) } catch {
            let spec = functions[sites[Int(hot.global)].function].sites[sites[Int(hot.global)].local]
            throw ModelError(.badParameter(error), error.description, location: spec.location,
                             address: currentAddress(spec, &s, fi, ib))
        }
        let instance = s.instanceCount
        let isSample = hot.kind == .sample
        let x = isSample ? sd.sample(using: &rng) : readReal(hot.value, &s, rb, ib)
        let logDensity = sd.logDensity(x)
        if logDensity.isNaN {
            let spec = functions[sites[Int(hot.global)].function].sites[sites[Int(hot.global)].local]
            let address = currentAddress(spec, &s, fi, ib)
            throw ModelError(.notFinite, "log density of '\(address)' is not a number", location: spec.location, address: address)
        }
        let index = hot.indexCount == 1 ? s.ints[ib + Int(hot.index0)] : 0
        if isSample {
            switch hot.value.file {
            case .real: s.reals[rb + Int(hot.value.index)] = x
            case .int: s.ints[ib + Int(hot.value.index)] = Int(x)
            case .object: break
            }
            if hot.memorySlot >= 0 {
                if index < 0 {
                    let spec = functions[sites[Int(hot.global)].function].sites[sites[Int(hot.global)].local]
                    _ = try memoryKeySlow(spec.indexRegisters, &s, ib, location: spec.location, prefix: s.frames[fi].prefix, nameID: spec.nameID)
                }
                s.frames[fi].memory[Int(hot.memorySlot)].set(index, MemoryCell(value: x, instance: instance))
            }
            s.ints[ib + Int(hot.lastInstance)] = instance
            ctx.trace.logPrior += logDensity
            ctx.freshLogPrior += logDensity
            // The executor sends here only top-level sites with a fixed support when collecting.
            if ctx.collectStepChoices { ctx.step.record(ChoiceKey(site: hot.global, index: index), value: x, logDensity: logDensity) }
        } else {
            ctx.trace.logLikelihood += logDensity
            ctx.stepLogWeight += logDensity
            s.observationsPassed += 1
            ctx.lastObservationSite = Int(hot.global)
        }
        s.instanceCount += 1
        if ctx.recording {
            let start = ctx.trace.indexPool.count
            if hot.indexCount == 1 { ctx.trace.indexPool.append(index) }
            var prefixIndex: Int32 = -1
            if fi > 0, let prefix = s.frames[fi].prefix {
                if let last = ctx.trace.prefixes.last, last === prefix {
                    prefixIndex = Int32(ctx.trace.prefixes.count - 1)
                } else {
                    ctx.trace.prefixes.append(prefix)
                    prefixIndex = Int32(ctx.trace.prefixes.count - 1)
                }
            }
            ctx.trace.instances.append(ChoiceInstance(site: hot.global, prefix: prefixIndex,
                                                      indexStart: Int32(start), value: x, logDensity: logDensity))
            if !hot.hasFixedSupport { ctx.trace.supports[instance] = sd.support }
            if isSample { ctx.trace.latentInstances.append(Int32(instance)) } else { ctx.trace.observedInstances.append(Int32(instance)) }
        }
        if isSample { return false }
        if let count = ctx.stopAtObservationCount, s.observationsPassed >= count { return true }
        return ctx.stopAfterObservation
    }

    /// Runs one `sample`, `observe` or `factor`; returns whether the run should stop after it.
    func site(_ spec: SiteSpec, _ s: inout VMState, _ fi: Int, _ rb: Int, _ ib: Int, _ ob: Int,
              _ ctx: inout RunContext, _ rng: inout RandomStream) throws(ModelError) -> Bool {
        let instance = s.instanceCount
        var scalar = 0.0
        var object: Value?
        var logDensity: Double
        var support: Support?
        switch spec.kind {
        case .sample:
            var constrained = false
            if case .scalar(let id) = spec.family, ctx.constraints == nil, !ctx.exploring, !ctx.requireConstraints {
                // The hot path: a scalar family drawn from its prior, without boxing.
                let sd = try scalarDistribution(id, spec, &s, fi, rb, ib)
                scalar = sd.sample(using: &rng)
                logDensity = sd.logDensity(scalar)
                if spec.fixedSupport == nil { support = sd.support }
            } else {
                let d = try distribution(spec, &s, fi, rb, ib, ob)
                var constraint: Value?
                if let constraints = ctx.constraints {
                    constraint = constraints[currentKey(spec, &s, fi, ib)]
                    if constraint != nil { ctx.constraintsUsed += 1 }
                }
                if constraint == nil {
                    if ctx.exploring {
                        let address = currentAddress(spec, &s, fi, ib)
                        guard let values = d.finiteValues else {
                            throw ModelError(.unsupportedByEngine,
                                             "enumeration needs finite discrete choices, but '\(address)' is continuous (\(sites[spec.global].familyName))",
                                             location: spec.location, address: address)
                        }
                        ctx.branch = (address, values)
                        return true
                    }
                    if ctx.requireConstraints {
                        let address = currentAddress(spec, &s, fi, ib)
                        throw ModelError(.other, "no value given for latent choice '\(address)'", location: spec.location, address: address)
                    }
                }
                switch d {
                case .scalar(let scalarDistribution):
                    if let constraint {
                        guard let x = constraint.asReal else { throw badValue(constraint, spec, &s, fi, ib) }
                        scalar = x
                    } else {
                        scalar = scalarDistribution.sample(using: &rng)
                    }
                    logDensity = scalarDistribution.logDensity(scalar)
                    if spec.fixedSupport == nil { support = scalarDistribution.support }
                case .generic(let any):
                    let v = constraint ?? any.sample(using: &rng)
                    logDensity = any.logDensity(v)
                    support = any.support
                    switch spec.value.file {
                    case .real:
                        guard let x = v.asReal else { throw badValue(v, spec, &s, fi, ib) }
                        scalar = x
                    case .int:
                        guard let x = v.asInt else { throw badValue(v, spec, &s, fi, ib) }
                        scalar = Double(x)
                    case .object:
                        guard let o = toObj(v, type: type(of: spec.value)) else { throw badValue(v, spec, &s, fi, ib) }
                        s.objects[ob + Int(spec.value.index)] = o
                        object = v
                    }
                }
                constrained = constraint != nil
            }
            if logDensity.isNaN {
                let address = currentAddress(spec, &s, fi, ib)
                throw ModelError(.notFinite, "log density of '\(address)' is not a number", location: spec.location, address: address)
            }
            switch spec.value.file {
            case .real: s.reals[rb + Int(spec.value.index)] = scalar
            case .int: s.ints[ib + Int(spec.value.index)] = Int(scalar)
            case .object: break
            }
            if spec.memorySlot >= 0 {
                let key = try memoryKey(spec.indexRegisters, &s, ib, location: spec.location, prefix: s.frames[fi].prefix, nameID: spec.nameID)
                s.frames[fi].memory[spec.memorySlot].set(key, MemoryCell(value: scalar, instance: instance))
            }
            s.ints[ib + Int(spec.lastInstance)] = instance
            ctx.trace.logPrior += logDensity
            if !constrained { ctx.freshLogPrior += logDensity }
        case .observe:
            if case .scalar(let id) = spec.family {
                let sd = try scalarDistribution(id, spec, &s, fi, rb, ib)
                scalar = readReal(spec.value, &s, rb, ib)
                logDensity = sd.logDensity(scalar)
                if spec.fixedSupport == nil { support = sd.support }
            } else {
            let d = try distribution(spec, &s, fi, rb, ib, ob)
            switch d {
            case .scalar(let scalarDistribution):
                scalar = readReal(spec.value, &s, rb, ib)
                logDensity = scalarDistribution.logDensity(scalar)
            case .generic(let any):
                let v = value(of: spec.value, s, rb, ib, ob)
                logDensity = any.logDensity(v)
                support = any.support
                if spec.value.file == .object { object = v } else { scalar = readReal(spec.value, &s, rb, ib) }
            }
            }
            if logDensity.isNaN {
                let address = currentAddress(spec, &s, fi, ib)
                throw ModelError(.notFinite, "log density of observation '\(address)' is not a number", location: spec.location, address: address)
            }
            ctx.trace.logLikelihood += logDensity
            ctx.stepLogWeight += logDensity
            s.observationsPassed += 1
            ctx.lastObservationSite = spec.global
        case .factor:
            logDensity = s.reals[rb + Int(spec.value.index)]
            scalar = logDensity
            if logDensity.isNaN {
                throw ModelError(.notFinite, "factor weight is not a number", location: spec.location,
                                 address: s.frames[fi].prefix.map { Address(prefixComponents($0)) })
            }
            ctx.trace.logLikelihood += logDensity
            ctx.stepLogWeight += logDensity
            s.observationsPassed += 1
            ctx.lastObservationSite = spec.global
        }
        s.instanceCount += 1
        if ctx.recording {
            let start = ctx.trace.indexPool.count
            for r in spec.indexRegisters { ctx.trace.indexPool.append(s.ints[ib + Int(r)]) }
            var prefixIndex: Int32 = -1
            if let prefix = s.frames[fi].prefix {
                if let last = ctx.trace.prefixes.last, last === prefix {
                    prefixIndex = Int32(ctx.trace.prefixes.count - 1)
                } else {
                    ctx.trace.prefixes.append(prefix)
                    prefixIndex = Int32(ctx.trace.prefixes.count - 1)
                }
            }
            ctx.trace.instances.append(ChoiceInstance(site: Int32(spec.global), prefix: prefixIndex,
                                                      indexStart: Int32(start), value: scalar, logDensity: logDensity))
            if let object { ctx.trace.objectValues[instance] = object }
            if let support { ctx.trace.supports[instance] = support }
            if spec.kind == .sample {
                ctx.trace.latentInstances.append(Int32(instance))
            } else {
                ctx.trace.observedInstances.append(Int32(instance))
            }
            if ctx.recorder != nil {
                ctx.recorder?.record(functions[sites[spec.global].function].slices[sites[spec.global].local],
                                     instance: instance, s, rb, ib, ob)
            }
        }
        if spec.kind == .sample {
            if ctx.collectStepChoices {
                if fi == 0, object == nil, spec.fixedSupport != nil, spec.indexRegisters.count <= 1 {
                    let index = spec.indexRegisters.first.map { s.ints[ib + Int($0)] } ?? 0
                    ctx.step.record(ChoiceKey(site: Int32(spec.global), index: index), value: scalar, logDensity: logDensity)
                } else {
                    let value = object ?? scalarValue(scalar, type: type(of: spec.value))
                    ctx.step.record(ChoiceRecord(address: currentAddress(spec, &s, fi, ib), value: value,
                                                 logDensity: logDensity, support: support ?? spec.fixedSupport ?? .real,
                                                 location: spec.location))
                }
            }
            return false
        }
        if let count = ctx.stopAtObservationCount, s.observationsPassed >= count { return true }
        return ctx.stopAfterObservation
    }

    func badValue(_ v: Value, _ spec: SiteSpec, _ s: inout VMState, _ fi: Int, _ ib: Int) -> ModelError {
        let address = currentAddress(spec, &s, fi, ib)
        return ModelError(.other, "value \(v) given for '\(address)' does not fit \(sites[spec.global].familyName)",
                          location: spec.location, address: address)
    }
}
