import CGSL

/// A seeded GSL generator owned by one chain, particle block or test; never shared.
///
/// Streams for parallel work come from `RandomStream(seed:stream:)`, which seeds
/// each GSL generator from a hash of (seed, stream index) rather than `seed + i`:
/// mt19937 maps seed 0 to 4357 and reads only the low 32 bits, so nearby
/// integer seeds would give correlated or identical streams.
public struct RandomStream: ~Copyable, @unchecked Sendable {
    /// GSL generator algorithms we offer.
    public enum Algorithm: String, Sendable, CaseIterable {
        case mt19937, ranlxd2, taus2, ranlux389

        var gslType: UnsafePointer<gsl_rng_type> {
            switch self {
            case .mt19937: ppl_rng_mt19937()
            case .ranlxd2: ppl_rng_ranlxd2()
            case .taus2: ppl_rng_taus2()
            case .ranlux389: ppl_rng_ranlux389()
            }
        }
    }

    /// The underlying generator, for GSL calls in this module and its clients.
    public let gsl: UnsafeMutablePointer<gsl_rng>
    public let seed: UInt64
    public let stream: UInt64

    /// Stream `stream` of seed `seed`; stream 0 is the main stream of a run.
    public init(seed: UInt64, stream: UInt64 = 0, algorithm: Algorithm = .mt19937) {
        ppl_gsl_disable_abort()
        // gsl_rng_alloc fails only when out of memory.
        guard let generator = gsl_rng_alloc(algorithm.gslType) else {
            preconditionFailure("gsl_rng_alloc failed: out of memory")
        }
        self.gsl = generator
        self.seed = seed
        self.stream = stream
        gsl_rng_set(generator, UInt(RandomStream.derivedSeed(seed: seed, stream: stream)))
    }

    deinit { gsl_rng_free(gsl) }

    /// A 32-bit GSL seed from (seed, stream) by SplitMix64 mixing; never 0.
    public static func derivedSeed(seed: UInt64, stream: UInt64) -> UInt32 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z = z ^ (z >> 31)
        let folded = UInt32(truncatingIfNeeded: z ^ (z >> 32))
        return folded == 0 ? 0x6A09_E667 : folded
    }

    /// A child stream for parallel work, independent of this one by construction.
    public func split(_ index: UInt64) -> RandomStream {
        RandomStream(seed: seed &+ 0xD1B5_4A32_D192_ED03 &* (stream &+ 1), stream: index)
    }

    /// Uniform on (0, 1), never exactly 0 or 1.
    @inlinable public mutating func uniformPositive() -> Double { gsl_rng_uniform_pos(gsl) }

    /// Uniform on [0, 1).
    @inlinable public mutating func uniform() -> Double { gsl_rng_uniform(gsl) }

    /// Uniform integer in 0..<n (n > 0).
    @inlinable public mutating func index(below n: Int) -> Int {
        Int(gsl_rng_uniform_int(gsl, UInt(n)))
    }

    /// Standard normal draw.
    @inlinable public mutating func standardNormal() -> Double { gsl_ran_gaussian_ziggurat(gsl, 1.0) }
}
