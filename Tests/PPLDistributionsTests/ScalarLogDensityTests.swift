import Testing
@testable import PPLDistributions

@Suite struct ScalarLogDensityTests {
    /// The fused path must give the very number `make(...).logDensity(x)` gives, for every scalar
    /// family, at draws, at points outside the support and at non-numbers, and be nil exactly where
    /// `make` throws (here: every parameter slot pushed out of range in turn).
    @Test func fusedPathEqualsMakeThenLogDensity() throws {
        for id in FamilyID.allCases where id.isScalar {
            let p = ScalarDistributionTests.reals(id)
            let d = try ScalarDistribution.make(id, p[0], p[1], p[2])
            var rng = RandomStream(seed: 9, stream: 1)
            var points = [-1e300, -2.5, -1, -0.5, 0, 0.25, 0.5, 1, 1.5, 2, 3, 7, 1e300, .infinity, -.infinity, .nan]
            for _ in 0..<50 { points.append(d.sample(using: &rng)) }
            for x in points {
                let fused = ScalarDistribution.logDensity(id, at: x, p[0], p[1], p[2])
                let reference = d.logDensity(x)
                #expect(fused != nil, "\(id)")
                #expect(fused == reference || (fused?.isNaN == true && reference.isNaN), "\(id) at \(x)")
            }
            for slot in 0..<3 {
                for bad in [-1.0, 0, .nan, .infinity, 2.5] {
                    var q = p
                    q[slot] = bad
                    let throwsInMake = (try? ScalarDistribution.make(id, q[0], q[1], q[2])) == nil
                    let fused = ScalarDistribution.logDensity(id, at: 0.5, q[0], q[1], q[2])
                    #expect((fused == nil) == throwsInMake, "\(id) slot \(slot) = \(bad)")
                }
            }
        }
    }

    /// Negative control: the check above does tell families apart (Normal's fused density is not Cauchy's).
    @Test func theComparisonSeesADifferentFamily() {
        #expect(ScalarDistribution.logDensity(.normal, at: 1.5, 0, 1) != ScalarDistribution.logDensity(.cauchy, at: 1.5, 0, 1))
    }
}
