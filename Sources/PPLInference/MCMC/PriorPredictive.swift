import PPLDistributions

/// Independent draws from the prior and the prior predictive: θ ~ p(θ), y_rep ~ p(y | θ).
///
/// Latent columns come from `Model.simulate`; predictive columns (`predictiveDraws`) from
/// `PredictiveModel.predictObservations` when the model conforms. One chain from stream 0 of
/// `seed`; draws are independent, so R-hat is not meaningful and ESS equals the draw count
/// up to noise (Gelman et al., Bayesian Data Analysis, 3rd ed., section 6.3 on predictive checks).
public struct PriorPredictive: Sendable {
    public var samples: Int
    public var seed: UInt64

    public init(samples: Int = 1_000, seed: UInt64 = 0) {
        self.samples = samples
        self.seed = seed
    }

    public static let name = "prior"

    public func run<M: Model>(_ model: M) throws(ModelError) -> Posterior {
        guard samples >= 1 else { throw ModelError(.other, "prior: 'samples' must be at least 1, got \(samples)") }
        var rng = RandomStream(seed: seed, stream: 0)
        var predictiveRng = rng.split(1)
        let predictor = Predictor(model)
        var columns = ColumnStore()
        var predictive = ColumnStore()
        for _ in 0..<samples {
            let trace = try model.simulate(using: &rng)
            columns.beginDraw()
            for k in 0..<trace.latentCount {
                let r = trace.latent(k)
                columns.set(r.address, r.value, kind: 0)
            }
            let reported = trace.reported
            for (address, value) in reported.deterministic { columns.set(address, value, kind: 1) }
            if let value = reported.returnValue { columns.set(Address("return"), value, kind: 2) }
            if let predictor {
                predictive.beginDraw()
                for (address, value) in try predictor.draw(trace, &predictiveRng) { predictive.set(address, value, kind: 0) }
            }
        }
        let layout = ColumnLayout([columns])
        var posterior = Posterior(engine: Self.name, seed: seed, columns: layout.addresses, columnIsInteger: layout.isInteger,
                                  draws: [layout.draws(of: columns, count: samples)])
        if predictor != nil {
            let predicted = ColumnLayout([predictive])
            posterior.predictiveColumns = predicted.addresses
            posterior.predictiveDraws = [predicted.draws(of: predictive, count: samples)]
        } else {
            posterior.diagnostics.warnings.append("this model cannot draw its observations, so only the prior of the latents is reported")
        }
        return posterior
    }
}
