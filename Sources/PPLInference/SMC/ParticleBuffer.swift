import PPLDistributions

/// The particles of one generation in one allocation, written in disjoint blocks by parallel tasks.
///
/// Resampling copies particles in place with `Model.copyParticles`, which reuses the storage of
/// the particles it overwrites, so the steady state allocates nothing and nothing re-runs a program. Tasks touch only their own index range, which is what makes the
/// unchecked `Sendable` sound.
final class ParticleBuffer<Particle>: @unchecked Sendable {
    let count: Int
    let base: UnsafeMutablePointer<Particle>

    init(count: Int, repeating particle: Particle) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: particle, count: count)
    }

    /// Particle j becomes a copy of particle ancestors[j], in place: every ancestor must be its own
    /// ancestor (`survivorsInPlace`), so no particle is read after it is overwritten.
    func resample<M: Model>(ancestors: [Int], _ model: M) where M.Particle == Particle {
        model.copyParticles(from: base, ancestors: ancestors, range: 0..<count, into: base)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// A block's own generator, kept across steps; only the task advancing that block touches it.
final class BlockStream: @unchecked Sendable {
    var rng: RandomStream
    /// The block's recorder, reused by each of its particles at each step.
    var step = StepRecorder()
    init(seed: UInt64, stream: UInt64) { rng = RandomStream(seed: seed, stream: stream) }
}
