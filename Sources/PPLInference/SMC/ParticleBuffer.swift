import PPLDistributions

/// The particles of one generation in one allocation, written in disjoint blocks by parallel tasks.
///
/// Resampling copies particle values (copy-on-write makes a VM state's copy cheap) into
/// a fresh buffer; nothing re-runs a program. Tasks touch only their own index range,
/// which is what makes the unchecked `Sendable` sound.
final class ParticleBuffer<Particle>: @unchecked Sendable {
    let count: Int
    let base: UnsafeMutablePointer<Particle>

    init(count: Int, repeating particle: Particle) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: particle, count: count)
    }

    /// particle j of the new buffer is a copy of particle ancestors[j] of `source`.
    init(resampling source: ParticleBuffer<Particle>, ancestors: [Int]) {
        count = ancestors.count
        base = .allocate(capacity: count)
        for (j, a) in ancestors.enumerated() { (base + j).initialize(to: source.base[a]) }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// A block's own generator, kept across steps; only the task advancing that block touches it.
final class BlockStream: @unchecked Sendable {
    var rng: RandomStream
    init(seed: UInt64, stream: UInt64) { rng = RandomStream(seed: seed, stream: stream) }
}
