import PPLDistributions

/// One choice or observation of a `SwiftModel` run, with the Swift source line that made it.
struct SwiftChoice: Sendable {
    var address: Address
    var value: Value
    var logDensity: Double
    var support: Support
    var file: StaticString
    var line: UInt

    var location: String { "\(file):\(line)" }

    var record: ChoiceRecord {
        ChoiceRecord(address: address, value: value, logDensity: logDensity, support: support, location: location)
    }
}

/// The trace of one run of a `SwiftModel`: latents in execution order, observations, factors and results.
public struct SwiftTrace: ModelTrace {
    var latents: [SwiftChoice] = []
    var indexByAddress: [Address: Int] = [:]
    var observationChoices: [SwiftChoice] = []
    public internal(set) var logPrior: Double = 0
    public internal(set) var logLikelihood: Double = 0
    public internal(set) var deterministic: [(Address, Value)] = []
    public internal(set) var returnValue: Value?

    public var latentCount: Int { latents.count }
    public func latent(_ index: Int) -> ChoiceRecord { latents[index].record }
    public func latentIndex(of address: Address) -> Int? { indexByAddress[address] }
    public var observations: [ChoiceRecord] { observationChoices.map(\.record) }

    /// The latent values by address, as constraints for `generate` or `assess`.
    public var choices: [Address: Value] {
        var out: [Address: Value] = [:]
        out.reserveCapacity(latents.count)
        for choice in latents { out[choice.address] = choice.value }
        return out
    }
}
