import PPLDistributions
import PPLInference

/// One choice made in a run: its site, where in the call tree, its value and log density.
///
/// Trivially copyable: the call path is an index into `VMTrace.prefixes` (-1 for the model itself).
struct ChoiceInstance: Sendable {
    var site: Int32
    var prefix: Int32
    var indexStart: Int32
    var value: Double
    var logDensity: Double
}

/// A key naming a choice without building an `Address`: names as -(id+1), indices as themselves.
struct AddressKey: Hashable, Sendable {
    var parts: [Int]
}

/// The model's arguments as registers take them.
struct BoundArguments: Sendable {
    var objects: [Obj?]
    var scalars: [Double]
}

/// The record of a run the VM keeps for engines: flat arrays, addresses built only on export.
public struct VMTrace: ModelTrace {
    let program: CompiledProgram
    var instances: [ChoiceInstance] = []
    var indexPool: [Int] = []
    var objectValues: [Int: Value] = [:]
    var supports: [Int: Support] = [:]
    var prefixes: [AddressPrefix] = []
    var latentInstances: [Int32] = []
    var observedInstances: [Int32] = []
    public internal(set) var logPrior: Double = 0
    public internal(set) var logLikelihood: Double = 0
    var reports: [(Address, Value)] = []
    var storedReturnValue: Value?
    /// Set by a local update: reports and the return value must be recomputed from the choices.
    var deterministicStale = false
    /// Built on the first local update of a static model.
    var rescoring: RescoringIndex?
    /// Registers for re-evaluating slices, kept to avoid allocating on every update.
    var scratch = VMState()
    /// Log densities of a Markov blanket at several values (`chooseLocally`), kept to avoid allocating on every call.
    var candidateDensities: [Double] = []
    var candidateWeights: [Double] = []
    /// Per site, the registers `chooseLocally` re-scores it in (empty until first used).
    var siteScratch: [SiteScratch] = []

    let arguments: BoundArguments

    init(program: CompiledProgram, arguments: BoundArguments) {
        self.program = program
        self.arguments = arguments
    }

    public var latentCount: Int { latentInstances.count }

    public func latent(_ index: Int) -> ChoiceRecord { record(Int(latentInstances[index])) }

    public func latentIndex(of address: Address) -> Int? {
        guard let key = program.key(of: address) else { return nil }
        return latentInstances.firstIndex { self.key(of: Int($0)) == key }
    }

    public var observations: [ChoiceRecord] { observedInstances.map { record(Int($0)) } }

    public var deterministic: [(Address, Value)] {
        if deterministicStale, program.reportsValues, let fresh = try? program.recomputeDeterministic(self) { return fresh.deterministic }
        return reports
    }

    public var returnValue: Value? {
        if deterministicStale, program.reportsValues, let fresh = try? program.recomputeDeterministic(self) { return fresh.returnValue }
        return storedReturnValue
    }

    public var reported: (deterministic: [(Address, Value)], returnValue: Value?) {
        if deterministicStale, program.reportsValues, let fresh = try? program.recomputeDeterministic(self) { return fresh }
        return (reports, storedReturnValue)
    }

    /// The value of instance `i` as a language value.
    func value(_ i: Int) -> Value {
        if !objectValues.isEmpty, let v = objectValues[i] { return v }
        let x = instances[i].value
        switch program.siteScalarKinds[Int(instances[i].site)] {
        case .real: return .real(x)
        case .int: return .int(Int(x))
        case .bool: return .bool(x != 0)
        }
    }

    func address(_ i: Int) -> Address {
        let instance = instances[i]
        return program.address(site: Int(instance.site), prefix: prefix(instance.prefix), indices: indexPool,
                               start: Int(instance.indexStart))
    }

    func key(of i: Int) -> AddressKey {
        let instance = instances[i]
        return program.key(site: Int(instance.site), prefix: prefix(instance.prefix), indices: indexPool,
                           start: Int(instance.indexStart))
    }

    func prefix(_ index: Int32) -> AddressPrefix? { index < 0 ? nil : prefixes[Int(index)]
    }

    func record(_ i: Int) -> ChoiceRecord {
        let site = program.sites[Int(instances[i].site)]
        return ChoiceRecord(address: address(i), value: value(i), logDensity: instances[i].logDensity,
                            support: supports[i] ?? site.fixedSupport ?? .real, location: site.location)
    }

    public func latentValueAndSupport(_ index: Int) -> (value: Value, support: Support) {
        let i = Int(latentInstances[index])
        if !supports.isEmpty, let support = supports[i] { return (value(i), support) }
        return (value(i), program.siteFixedSupports[Int(instances[i].site)] ?? .real)
    }

    public func scalarLatents(into values: inout [Double]) -> Bool {
        values.removeAll(keepingCapacity: true)
        values.reserveCapacity(latentInstances.count)
        for i in latentInstances {
            if !objectValues.isEmpty, objectValues[Int(i)] != nil { return false }
            let x = instances[Int(i)].value
            switch program.siteScalarKinds[Int(instances[Int(i)].site)] {
            case .real: values.append(x)
            case .int: values.append(Double(Int(x)))
            case .bool: values.append(x != 0 ? 1 : 0)
            }
        }
        return true
    }

    /// Latent values by address, for re-execution with reuse.
    func latentChoices() -> [AddressKey: Value] {
        var out: [AddressKey: Value] = [:]
        out.reserveCapacity(latentInstances.count)
        for i in latentInstances { out[key(of: Int(i))] = value(Int(i)) }
        return out
    }
}

/// What a scalar register's double stands for, as `CompiledProgram.scalarValue` reads it.
enum ScalarKind: UInt8, Sendable {
    case real, int, bool

    init(_ type: ValueType) {
        switch type {
        case .int: self = .int
        case .bool: self = .bool
        default: self = .real
        }
    }
}

extension CompiledProgram {
    /// Whether a run reports anything (a model-level `let` in any function, or a returned value);
    /// when not, an in-place update leaves nothing to recompute, so recording a draw need not re-run
    /// the program.
    var reportsValues: Bool {
        functions[entry].returnType != nil || functions.contains { !$0.reports.isEmpty }
    }

    func scalarValue(_ x: Double, type: ValueType) -> Value {
        switch type {
        case .int: .int(Int(x))
        case .bool: .bool(x != 0)
        default: .real(x)
        }
    }

    func prefixComponents(_ prefix: AddressPrefix?) -> [Address.Component] {
        var chain: [Address.Component] = []
        var node = prefix
        while let n = node {
            chain.append(.index(n.index))
            chain.append(.name(names[n.nameID]))
            node = n.parent
        }
        return chain.reversed()
    }

    func prefixKey(_ prefix: AddressPrefix?) -> [Int] {
        var chain: [Int] = []
        var node = prefix
        while let n = node {
            chain.append(n.index)
            chain.append(-(n.nameID + 1))
            node = n.parent
        }
        return chain.reversed()
    }

    func address(prefix: AddressPrefix?, nameID: Int) -> Address {
        Address(prefixComponents(prefix) + [.name(names[nameID])])
    }

    func address(site: Int, prefix: AddressPrefix?, indices: [Int], start: Int) -> Address {
        let spec = functions[sites[site].function].sites[sites[site].local]
        var components = prefixComponents(prefix)
        var k = start
        for part in spec.address {
            switch part {
            case .name(let id): components.append(.name(names[id]))
            case .index: components.append(.index(indices[k])); k += 1
            }
        }
        return Address(components)
    }

    func key(site: Int, prefix: AddressPrefix?, indices: [Int], start: Int) -> AddressKey {
        let spec = functions[sites[site].function].sites[sites[site].local]
        var parts = prefixKey(prefix)
        var k = start
        for part in spec.address {
            switch part {
            case .name(let id): parts.append(-(id + 1))
            case .index: parts.append(indices[k]); k += 1
            }
        }
        return AddressKey(parts: parts)
    }

    /// The key of a user-written address; nil when it names something the program never mentions.
    func key(of address: Address) -> AddressKey? {
        var parts: [Int] = []
        for component in address.components {
            switch component {
            case .name(let n):
                guard let id = nameIDs[n] else { return nil }
                parts.append(-(id + 1))
            case .index(let i): parts.append(i)
            }
        }
        return AddressKey(parts: parts)
    }
}
