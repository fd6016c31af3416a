// Draws 10^7 Normal(0, 1), Gamma(2, 1) and Poisson(3.5) variates through the Swift API and
// prints ns per draw and the sum of the draws (the sum keeps the loop alive and lets run.sh
// check that the C baseline did exactly the same GSL calls). Used by run.sh; one pass per call.
import PPLDistributions
#if canImport(Glibc)
import Glibc
#endif

let drawCount = 10_000_000
let seed: UInt64 = 1

func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// The family structs, as engines written in Swift use them.
@inline(never) func timeStruct<D: Distribution>(_ d: D, _ toReal: (D.Sample) -> Double) -> (nsPerDraw: Double, sum: Double) {
    var rng = RandomStream(seed: seed)
    var sum = 0.0
    let start = nanoseconds()
    for _ in 0..<drawCount { sum += toReal(d.sample(using: &rng)) }
    return (Double(nanoseconds() - start) / Double(drawCount), sum)
}

/// The VM's fast path: a ScalarDistribution built once, sampled in a loop.
@inline(never) func timeScalar(_ d: ScalarDistribution) -> (nsPerDraw: Double, sum: Double) {
    var rng = RandomStream(seed: seed)
    var sum = 0.0
    let start = nanoseconds()
    for _ in 0..<drawCount { sum += d.sample(using: &rng) }
    return (Double(nanoseconds() - start) / Double(drawCount), sum)
}

func report(_ api: String, _ family: String, _ result: (nsPerDraw: Double, sum: Double)) {
    print(api, family, result.nsPerDraw, result.sum)
}

if CommandLine.arguments.contains("--print-gsl-seed") {
    print(RandomStream.derivedSeed(seed: seed, stream: 0))
} else {
    do {
        let normal = try Normal(mu: 0, sigma: 1)
        let gamma = try Gamma(alpha: 2, beta: 1)
        let poisson = try Poisson(lambda: 3.5)
        report("swift-struct", "Normal", timeStruct(normal) { $0 })
        report("swift-struct", "Gamma", timeStruct(gamma) { $0 })
        report("swift-struct", "Poisson", timeStruct(poisson) { Double($0) })
        report("swift-scalar", "Normal", timeScalar(.normal(normal)))
        report("swift-scalar", "Gamma", timeScalar(.gamma(gamma)))
        report("swift-scalar", "Poisson", timeScalar(.poisson(poisson)))
    } catch {
        print("error: \(error)")
    }
}
