import PPLDistributions

/// A model that can draw fresh values at its observed sites given a trace's latents.
///
/// Engines use it for posterior predictive draws (on MCMC draws) and prior predictive
/// draws (on `simulate`d traces): y_rep ~ p(y | θ) at every `observe`, with θ fixed.
public protocol PredictiveModel: Model {
    /// Fresh draws of every observation of `trace`, by address, in execution order.
    func predictObservations(_ trace: Trace, using rng: inout RandomStream) throws(ModelError) -> [(Address, Value)]
}

/// A type-erased predictor for model `M`, or nil when `M` does not conform to `PredictiveModel`.
struct Predictor<Trace: ModelTrace>: Sendable {
    let draw: @Sendable (Trace, inout RandomStream) throws(ModelError) -> [(Address, Value)]

    init?<M: Model>(_ model: M) where M.Trace == Trace {
        guard let predictive = model as? any PredictiveModel else { return nil }
        guard let draw = Predictor.open(predictive, traceType: Trace.self) else { return nil }
        self.draw = draw
    }

    private static func open<P: PredictiveModel>(_ model: P, traceType: Trace.Type)
        -> (@Sendable (Trace, inout RandomStream) throws(ModelError) -> [(Address, Value)])? {
        guard Trace.self == P.Trace.self else { return nil }
        return { (trace: Trace, rng: inout RandomStream) throws(ModelError) -> [(Address, Value)] in
            guard let own = trace as? P.Trace else {
                throw ModelError(.other, "internal error: predictive draw on a trace of another model")
            }
            return try model.predictObservations(own, using: &rng)
        }
    }
}
