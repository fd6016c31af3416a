import Testing
import Foundation
@testable import PPLDistributions

/// Same seed, same draws; streams independent of threads; neighbouring seeds and streams differ.
@Suite struct RandomStreamTests {
    static func draws(seed: UInt64, stream: UInt64, count: Int = 1000) -> [Double] {
        var rng = RandomStream(seed: seed, stream: stream)
        let normal = ScalarDistribution.normal(try! Normal(mu: 0, sigma: 1))
        let gamma = ScalarDistribution.gamma(try! Gamma(alpha: 2, beta: 1))
        let poisson = ScalarDistribution.poisson(try! Poisson(lambda: 3.5))
        return (0..<count).map { i in
            switch i % 3 {
            case 0: normal.sample(using: &rng)
            case 1: gamma.sample(using: &rng)
            default: poisson.sample(using: &rng)
            }
        }
    }

    @Test func sameSeedSameDraws() {
        #expect(Self.draws(seed: 42, stream: 0) == Self.draws(seed: 42, stream: 0))
        #expect(Self.draws(seed: 42, stream: 3) == Self.draws(seed: 42, stream: 3))
        #expect(Self.draws(seed: 42, stream: 0) != Self.draws(seed: 43, stream: 0))
        #expect(Self.draws(seed: 42, stream: 0) != Self.draws(seed: 42, stream: 1))
    }

    @Test func everyAlgorithmIsReproducible() {
        for algorithm in RandomStream.Algorithm.allCases {
            var a = RandomStream(seed: 9, stream: 1, algorithm: algorithm)
            var b = RandomStream(seed: 9, stream: 1, algorithm: algorithm)
            let xs = (0..<100).map { _ in a.uniform() }
            #expect(xs == (0..<100).map { _ in b.uniform() }, "\(algorithm)")
            #expect(Set(xs).count > 90, "\(algorithm)")
        }
    }

    @Test func streamsDoNotDependOnWhichTaskDrawsThem() async {
        let streams: [UInt64] = Array(0..<8)
        let sequential = streams.map { Self.draws(seed: 7, stream: $0) }
        let parallel = await withTaskGroup(of: (UInt64, [Double]).self) { group in
            // Interleave the streams over tasks in reverse order, so scheduling differs from the loop above.
            for stream in streams.reversed() {
                group.addTask { (stream, Self.draws(seed: 7, stream: stream)) }
            }
            var out: [UInt64: [Double]] = [:]
            for await (stream, xs) in group { out[stream] = xs }
            return out
        }
        for stream in streams {
            #expect(parallel[stream] == sequential[Int(stream)], "stream \(stream)")
        }
    }

    @Test func derivedSeedsDifferForNeighbours() {
        var seen = Set<UInt32>()
        for seed in UInt64(0)..<200 {
            for stream in UInt64(0)..<50 {
                let s = RandomStream.derivedSeed(seed: seed, stream: stream)
                #expect(s != 0)
                #expect(s != RandomStream.derivedSeed(seed: seed + 1, stream: stream))
                #expect(s != RandomStream.derivedSeed(seed: seed, stream: stream + 1))
                seen.insert(s)
            }
        }
        // 10,000 32-bit hashes: a birthday collision or two is possible, wholesale repetition is not.
        #expect(seen.count >= 9_990)
    }

    @Test func seedZeroWorksAndDiffersFromItsNeighbours() {
        let zero = Self.draws(seed: 0, stream: 0)
        #expect(Set(zero).count > 500)
        #expect(zero != Self.draws(seed: 1, stream: 0))
        #expect(zero != Self.draws(seed: 0, stream: 1))
        #expect(RandomStream.derivedSeed(seed: 0, stream: 0) != 4357)  // mt19937's replacement for seed 0
    }

    @Test func neighbouringStreamsAreUncorrelated() {
        let n = 20_000
        var a = RandomStream(seed: 123, stream: 0)
        var b = RandomStream(seed: 123, stream: 1)
        let xs = (0..<n).map { _ in a.standardNormal() }
        let ys = (0..<n).map { _ in b.standardNormal() }
        let correlation = zip(xs, ys).reduce(0) { $0 + $1.0 * $1.1 } / Double(n)
        // Standard error of the correlation of independent standard normals is 1/sqrt(n).
        #expect(abs(correlation) < 5 / Double(n).squareRoot())
        // Negative control: the same statistic flags a stream paired with itself.
        let selfCorrelation = zip(xs, xs).reduce(0) { $0 + $1.0 * $1.1 } / Double(n)
        #expect(selfCorrelation > 5 / Double(n).squareRoot())
    }

    @Test func splitStreamsDifferFromTheirParentAndEachOther() {
        let parent = RandomStream(seed: 5, stream: 2)
        var c0 = parent.split(0)
        var c1 = parent.split(1)
        var again = parent.split(0)
        var p = RandomStream(seed: 5, stream: 2)
        let x0 = (0..<50).map { _ in c0.uniform() }
        #expect(x0 != (0..<50).map { _ in c1.uniform() })
        #expect(x0 == (0..<50).map { _ in again.uniform() })
        #expect(x0 != (0..<50).map { _ in p.uniform() })
    }
}
