package gatehouse.explain;

import gatehouse.authn.jwt.JwtAuthenticator;
import gatehouse.identity.UpstreamSigners;
import gatehouse.pipeline.Pipeline;
import gatehouse.route.RouteTable;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One config's stages as {@code gatehouse.Gatehouse#explainStages} builds them for one explanation.
 *
 * @param pipeline the serving pipeline's code over parts that serve nothing, telling a trace
 * @param routes its route table, asked for near misses
 * @param jwt the JWT authenticator, asked which keys it holds
 * @param signers how requests to each upstream would be signed
 * @param close releases what was opened (key fetches, introspection clients, the key store's pool)
 */
public record Stages(Pipeline pipeline, RouteTable routes, Optional<JwtAuthenticator> jwt, UpstreamSigners signers,
    Supplier<Future<Void>> close) {}
