import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

@Suite struct SMCResamplingTests {
    static let weights = [0.05, 0.3, 0.001, 0.149, 0.25, 0.0, 0.25]

    /// Mean offspring counts over many draws match M W_i within 4 MCSE (the unbiasedness SMC needs).
    static func countsAreUnbiased(_ resampler: any Resampler) -> Bool {
        let m = 10, repetitions = 4_000
        var rng = RandomStream(seed: 17)
        var sums = [Double](repeating: 0, count: weights.count)
        var sumsOfSquares = sums
        for _ in 0..<repetitions {
            var counts = [Double](repeating: 0, count: weights.count)
            for a in resampler.ancestors(weights: weights, count: m, using: &rng) { counts[a] += 1 }
            for i in counts.indices { sums[i] += counts[i]; sumsOfSquares[i] += counts[i] * counts[i] }
        }
        let r = Double(repetitions)
        return weights.indices.allSatisfy { i in
            let mean = sums[i] / r
            let mcse = (max(sumsOfSquares[i] / r - mean * mean, 1e-4) / r).squareRoot()
            return abs(mean - Double(m) * weights[i]) < 4 * mcse
        }
    }

    /// Reordered ancestors keep the drawn multiset, leave every survivor in its own place and
    /// copy only survivors, so resampling in place never reads an overwritten particle.
    @Test(arguments: ResamplingScheme.builtIn)
    func survivorsKeepTheirPlaces(_ scheme: ResamplingScheme) {
        var rng = RandomStream(seed: 31)
        let weights = (0..<200).map { _ in rng.uniform() * rng.uniform() }
        let total = weights.reduce(0, +)
        let drawn = scheme.resampler.ancestors(weights: weights.map { $0 / total }, count: 200, using: &rng)
        let placed = survivorsInPlace(drawn)
        #expect(placed.sorted() == drawn.sorted())
        let survivors = Set(drawn)
        #expect(survivors.allSatisfy { placed[$0] == $0 })
        #expect(placed.allSatisfy { survivors.contains($0) && placed[$0] == $0 })
    }

    /// The reordering is fixed (extra copies, ancestor by ancestor, fill the places of the
    /// particles that died, in order), since seeded results depend on it: the branch-free version
    /// gives what the plain loops give, for sorted and unsorted ancestors.
    @Test func survivorsInPlaceMatchesThePlainLoops() {
        func plain(_ ancestors: [Int]) -> [Int] {
            let n = ancestors.count
            var offspring = [Int](repeating: 0, count: n)
            for a in ancestors { offspring[a] += 1 }
            var placed = [Int](repeating: -1, count: n)
            for i in 0..<n where offspring[i] > 0 {
                placed[i] = i
                offspring[i] -= 1
            }
            var free = 0
            for i in 0..<n {
                while offspring[i] > 0 {
                    while placed[free] >= 0 { free += 1 }
                    placed[free] = i
                    offspring[i] -= 1
                }
            }
            return placed
        }
        var rng = RandomStream(seed: 77)
        for trial in 0..<300 {
            let n = 1 + trial % 40
            var drawn = (0..<n).map { _ in Int(rng.uniform() * rng.uniform() * Double(n)) }
            if trial % 2 == 0 { drawn.sort() }
            #expect(survivorsInPlace(drawn) == plain(drawn), "\(drawn)")
        }
        #expect(survivorsInPlace([]) == [])
    }

    /// The inversion of the weights' CDF (through buffers) gives what the plain loop gives, also
    /// with zero weights at either end and points past the last cumulative sum.
    @Test func inversionMatchesThePlainLoop() {
        func plain(_ weights: [Double], _ points: [Double]) -> [Int] {
            var ancestors = [Int](repeating: 0, count: points.count)
            guard let lastPositive = weights.lastIndex(where: { $0 > 0 }) else { return ancestors }
            var i = 0
            var cumulative = weights[0]
            for (j, u) in points.enumerated() {
                while u >= cumulative && i < lastPositive {
                    i += 1
                    cumulative += weights[i]
                }
                ancestors[j] = i
            }
            return ancestors
        }
        var rng = RandomStream(seed: 78)
        for trial in 0..<300 {
            let n = 1 + trial % 30, m = 1 + (trial * 7) % 45
            var weights = (0..<n).map { _ in rng.uniform() < 0.3 ? 0 : rng.uniform() }
            let total = weights.reduce(0, +)
            if total > 0 { weights = weights.map { $0 / total } }
            let points = (0..<m).map { _ in rng.uniform() * 1.02 }.sorted()
            #expect(invertCumulativeWeights(weights, atSortedPoints: points) == plain(weights, points), "\(weights) \(points)")
        }
    }

    @Test(arguments: ResamplingScheme.builtIn)
    func offspringCountsAreUnbiased(_ scheme: ResamplingScheme) {
        #expect(Self.countsAreUnbiased(scheme.resampler))
    }

    @Test func biasedResamplerFailsTheSameCheck() {
        #expect(!Self.countsAreUnbiased(SquaredWeightResampling()))
    }

    /// Systematic, stratified and residual give each particle ⌊M W_i⌋ or more copies
    /// where it matters; none ever picks a zero-weight particle.
    @Test(arguments: ResamplingScheme.builtIn)
    func zeroWeightIsNeverChosen(_ scheme: ResamplingScheme) {
        var rng = RandomStream(seed: 5)
        for _ in 0..<200 {
            let ancestors = scheme.resampler.ancestors(weights: Self.weights, count: 50, using: &rng)
            #expect(ancestors.count == 50 && !ancestors.contains(5))
        }
    }

    @Test func systematicAndResidualKeepTheIntegerPart() {
        var rng = RandomStream(seed: 6)
        for resampler in [SystematicResampling() as any Resampler, ResidualResampling()] {
            for _ in 0..<200 {
                var counts = [Int](repeating: 0, count: Self.weights.count)
                for a in resampler.ancestors(weights: Self.weights, count: 40, using: &rng) { counts[a] += 1 }
                for i in counts.indices {
                    let expected = 40 * Self.weights[i]
                    #expect(Double(counts[i]) >= expected.rounded(.down))
                    if resampler is SystematicResampling { #expect(Double(counts[i]) <= expected.rounded(.up)) }
                }
            }
        }
    }

    @Test func schemesAreNamed() {
        #expect(ResamplingScheme.builtIn.map(\.description) == ["multinomial", "systematic", "stratified", "residual"])
        #expect(ResamplingScheme(name: "residual")?.description == "residual")
        #expect(ResamplingScheme(name: "bogus") == nil)
    }
}
