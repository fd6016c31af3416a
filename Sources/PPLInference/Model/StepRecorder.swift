import PPLDistributions

/// A model's compact name for a choice instance (its site and index), resolved to an address
/// only when a column is named, by `Model.describe(_:)`; equal keys name the same address.
public struct ChoiceKey: Hashable, Sendable {
    /// Model-defined, non-negative.
    public var site: Int32
    public var index: Int

    public init(site: Int32, index: Int) {
        self.site = site
        self.index = index
    }
}

/// What a `ChoiceKey` names: the address, the support and whether the value is real, integer or Boolean.
public struct ChoiceDescription: Sendable {
    public enum Kind: Sendable { case real, int, bool }
    public var address: Address
    public var support: Support
    public var kind: Kind

    public init(address: Address, support: Support, kind: Kind) {
        self.address = address
        self.support = support
        self.kind = kind
    }

    /// The language value of a stored scalar of this kind.
    public func value(_ x: Double) -> Value {
        switch kind {
        case .real: .real(x)
        case .int: .int(Int(x))
        case .bool: .bool(x != 0)
        }
    }
}

/// What one `advance` of a particle did, written into storage the engine owns and reuses
/// for every particle of a block, so that a step allocates nothing in the steady state.
///
/// Scalar choices are recorded by key and value; anything else (a call path, an array value)
/// as a `ChoiceRecord`, slower but general. Entries keep execution order.
public struct StepRecorder: Sendable {
    /// log density of the observations (and factors) met in this step.
    public var logWeight = 0.0
    public var finished = false
    /// The model's id of the observation the particle stopped at, for `Model.observationLocation(_:)`; -1 for none.
    public var observation = -1
    /// Where the particle stopped, for models that name it directly instead of by id.
    public var observationLocation: String?

    /// A model's own reusable state for advancing this recorder's particles (the VM keeps its
    /// run context here); engines keep it and never look inside.
    public var modelContext: (any AnyObject & Sendable)?

    /// Entries 0..<count are this step's; the arrays only grow, so that steps reuse them.
    private var keyStorage: [ChoiceKey] = []
    private var valueStorage: [Double] = []
    private var logDensityStorage: [Double] = []
    public private(set) var count = 0
    /// Choices recorded by address; their keys have site -1 and index into this.
    public private(set) var records: [ChoiceRecord] = []

    public init() {}

    public var hasRecords: Bool { !records.isEmpty }

    public func key(_ k: Int) -> ChoiceKey { keyStorage[k] }
    public func value(_ k: Int) -> Double { valueStorage[k] }
    public func logDensity(_ k: Int) -> Double { logDensityStorage[k] }
    public var keys: ArraySlice<ChoiceKey> { keyStorage[0..<count] }
    public var values: ArraySlice<Double> { valueStorage[0..<count] }
    public var logDensities: ArraySlice<Double> { logDensityStorage[0..<count] }

    /// Whether this step's keys are exactly `keys`.
    public func hasKeys(_ keys: [ChoiceKey]) -> Bool {
        guard keys.count == count else { return false }
        for k in 0..<count where keyStorage[k] != keys[k] { return false }
        return true
    }

    /// Clears the previous particle's step, keeping the storage.
    public mutating func reset() {
        logWeight = 0
        finished = false
        observation = -1
        if observationLocation != nil { observationLocation = nil }
        count = 0
        if !records.isEmpty { records.removeAll(keepingCapacity: true) }
    }

    @inline(__always)
    public mutating func record(_ key: ChoiceKey, value: Double, logDensity: Double) {
        if count < keyStorage.count {
            keyStorage[count] = key
            valueStorage[count] = value
            logDensityStorage[count] = logDensity
        } else {
            keyStorage.append(key)
            valueStorage.append(value)
            logDensityStorage.append(logDensity)
        }
        count += 1
    }

    public mutating func record(_ record: ChoiceRecord) {
        records.append(record)
        self.record(ChoiceKey(site: -1, index: records.count - 1), value: .nan, logDensity: record.logDensity)
    }

    /// Every entry as a record, resolving keys with the model's descriptions.
    public func choiceRecords(_ describe: (ChoiceKey) -> ChoiceDescription) -> [ChoiceRecord] {
        var out: [ChoiceRecord] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            let key = keyStorage[k]
            if key.site < 0 {
                out.append(records[key.index])
            } else {
                let description = describe(key)
                out.append(ChoiceRecord(address: description.address, value: description.value(valueStorage[k]),
                                        logDensity: logDensityStorage[k], support: description.support))
            }
        }
        return out
    }
}
