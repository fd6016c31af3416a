import CGSL

/// Multinomial(n, p): counts of n >= 0 draws over K categories with probabilities p.
///
/// Stan writes multinomial(p) and takes n from the data; we name n explicitly so that the
/// family can be sampled. log p(k) = log n! - sum log k[i]! + sum k[i] log p[i], scored as a chain
/// of binomials, k[i] ~ Binomial(n - k[0..<i], p[i] / sum p[i...]), each by Loader's form.
public struct Multinomial: Distribution {
    public let n: Int
    public let p: [Double]
    /// sum of p[i...] for each i, summed from the end to avoid cancellation.
    let tailMass: [Double]

    public init(n: Int, p: [Double]) throws(DistributionError) {
        guard n >= 0, n <= Binomial.maximumTrials else {
            throw DistributionError(family: "Multinomial", parameter: "n", "must be a non-negative integer at most \(Binomial.maximumTrials), got \(n)")
        }
        self.n = n
        self.p = try Check.simplex(p, "Multinomial", "p")
        var tails = [Double](repeating: 0, count: self.p.count)
        var running = 0.0
        for i in stride(from: self.p.count - 1, through: 0, by: -1) {
            running += self.p[i]
            tails[i] = running
        }
        self.tailMass = tails
    }

    public var support: Support { .integerVector(p.count, total: n) }

    public func sample(using rng: inout RandomStream) -> [Int] {
        var counts = [UInt32](repeating: 0, count: p.count)
        p.withUnsafeBufferPointer { probabilities in
            counts.withUnsafeMutableBufferPointer { out in
                gsl_ran_multinomial(rng.gsl, probabilities.count, UInt32(n), probabilities.baseAddress, out.baseAddress)
            }
        }
        return counts.map { Int($0) }
    }

    public func logDensity(_ k: [Int]) -> Double {
        guard k.count == p.count else { return -.infinity }
        var remaining = n
        var total = 0.0
        for (i, ki) in k.enumerated() {
            guard ki >= 0, ki <= remaining else { return -.infinity }
            if i == k.count - 1 {
                guard ki == remaining else { return -.infinity }
                return total
            }
            // No probability left for categories i...: nothing more may be drawn.
            guard tailMass[i] > 0 else { return remaining == 0 ? total : -.infinity }
            let conditional = Swift.min(p[i] / tailMass[i], 1)
            let complement = Swift.max(tailMass[i + 1] / tailMass[i], 0)
            total += LogMath.logBinomialTerm(Double(ki), Double(remaining), conditional, complement)
            remaining -= ki
        }
        return total
    }

    public var mean: [Double] { p.map { Double(n) * $0 } }
    public var variance: [Double] { p.map { Double(n) * $0 * (1 - $0) } }

    public static let family = Family(
        id: .multinomial, name: "Multinomial",
        parameters: [ParameterSpec("n", .int, .nonNegativeInteger), ParameterSpec("p", .array(.real), .simplex)],
        drawType: .array(.int), isDiscrete: true,
        summary: "Multinomial(n, p): counts of n draws over categories with probabilities p (Stan takes n from the data)"
    ) { args throws(DistributionError) in
        let d = try Multinomial(n: Arguments.int(args, 0, "Multinomial", "n"), p: Arguments.reals(args, 1, "Multinomial", "p"))
        return AnyDistribution("Multinomial", d, toValue: { Value.ints($0) }, fromValue: { value in
            guard let items = value.asArray else { return nil }
            var out: [Int] = []
            out.reserveCapacity(items.count)
            for item in items { guard let m = item.asInt else { return nil }; out.append(m) }
            return out
        })
    }
}
