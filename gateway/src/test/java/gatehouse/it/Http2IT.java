package gatehouse.it;

import static gatehouse.it.GatewayHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cleartext HTTP/2 inbound ({@code listen.h2c: true}), forwarded upstream as HTTP/1.1. */
class Http2IT {
  private static GatewayHarness gw;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    gw = GatewayHarness.start("", "", true);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }


  @Test
  void http2WithPriorKnowledgeIsAuthenticatedAndForwardedAsHttp11() {
    gw.upstream.replyWith(Reply.echo());
    String token = invariants.secret(gw.token("alice", Map.of("role", "user")));
    HttpClient h2 = gw.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/api/h2")
          .addHeader("Authorization", "Bearer " + token).addHeader("x-user-id", GatewayInvariants.SPOOF);
      int status = await(h2.request(options).compose(req -> req.send().compose(r -> r.body().map(b -> {
        assertEquals(HttpVersion.HTTP_2, r.version());
        return r.statusCode();
      }))));
      assertEquals(200, status);
      assertEquals(java.util.Optional.of("alice"), gw.upstream.lastRequest().header("X-User-Id"));
      assertEquals(HttpVersion.HTTP_1_1, gw.upstream.lastRequest().version());
      int unauthenticated = await(h2.request(new RequestOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/api/h2"))
          .compose(r -> r.send()).map(r -> r.statusCode()));
      assertEquals(401, unauthenticated);
    } finally {
      await(h2.close());
    }
  }

}
