package gatehouse;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import gatehouse.archviolations.authn.LogsToObserve;
import gatehouse.archviolations.authn.TakesTokens;
import gatehouse.archviolations.authn.introspect.IntrospectSide;
import gatehouse.archviolations.authn.jwt.JwtSide;
import gatehouse.archviolations.config.ConfigSide;
import gatehouse.archviolations.credential.CredentialSide;
import gatehouse.archviolations.identity.IdentitySide;
import gatehouse.archviolations.limit.LimitSide;
import gatehouse.archviolations.observe.ObserveSide;
import gatehouse.archviolations.observe.SignalSide;
import gatehouse.archviolations.pipeline.PipelineSide;
import gatehouse.archviolations.ratelimit.KnowsConfig;
import gatehouse.archviolations.ratelimit.LimiterSide;
import gatehouse.archviolations.revoke.RevokeSide;
import gatehouse.archviolations.server.GatewayInstances;
import gatehouse.archviolations.server.InternalsSide;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of the pipeline, checked on the compiled classes (STYLE.md, habit 1). The
 * rules built by a method take the root package, so that each is also checked against the classes
 * of {@code gatehouse.archviolations} (test sources, laid out like {@code gatehouse}) that break it
 * on purpose: every such rule is shown to be able to fail.
 */
class ArchitectureTest {
  private static final String ROOT = "gatehouse";
  private static final String VIOLATIONS = "gatehouse.archviolations";

  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("gatehouse");
  }

  @Test
  void pureStagesKnowNothingOfHttpServersOrOtherStagesDownstream() {
    noClasses().that().resideInAnyPackage("gatehouse.route..", "gatehouse.credential..", "gatehouse.authz..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.vertx.core.http..", "gatehouse.pipeline..", "gatehouse.proxy..", "gatehouse.server..", "gatehouse.identity..", "gatehouse.cli..")
        .check(main);
  }

  @Test
  void authenticatorsDoNotReachIntoRoutingProxyingOrTheServer() {
    noClasses().that().resideInAPackage("gatehouse.authn..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "gatehouse.route..", "gatehouse.pipeline..", "gatehouse.proxy..", "gatehouse.server..", "gatehouse.identity..", "gatehouse.cli..")
        .check(main);
  }

  @Test
  void theProxyKnowsNothingOfCredentialsOrAuthentication() {
    noClasses().that().resideInAPackage("gatehouse.proxy..")
        .should().dependOnClassesThat().resideInAnyPackage("gatehouse.authn..", "gatehouse.credential..", "gatehouse.authz..", "gatehouse.server..")
        .check(main);
  }

  @Test
  void stagesDoNotDependOnTheConductor() {
    noClasses().that().resideInAnyPackage("gatehouse.route..", "gatehouse.credential..", "gatehouse.authn..", "gatehouse.authz..", "gatehouse.identity..", "gatehouse.config..")
        .should().dependOnClassesThat().resideInAnyPackage("gatehouse.pipeline..", "gatehouse.server..")
        .check(main);
  }

  @Test
  void onlyErrorResponsesSetsAStatusTheGatewayChoseItself() {
    // The proxy relays the upstream's own status; the admin listener is not the gateway.
    noClasses().that().doNotHaveFullyQualifiedName("gatehouse.pipeline.ErrorResponses")
        .and().resideOutsideOfPackage("gatehouse.proxy..")
        .and().doNotHaveFullyQualifiedName("gatehouse.server.AdminServer")
        .and().resideOutsideOfPackage("gatehouse.demo..")
        .should().callMethod(io.vertx.core.http.HttpServerResponse.class, "setStatusCode", int.class)
        .check(main);
  }

  @Test
  void nothingSleepsOrUsesJdbcOnTheRequestPath() {
    noClasses().should().callMethod(Thread.class, "sleep", long.class).check(main);
    noClasses().that().resideOutsideOfPackage("gatehouse.authn.apikey..")
        .should().dependOnClassesThat().resideInAPackage("java.sql..").check(main);
  }

  @Test
  void onlyTraceOtelUsesTheOpenTelemetrySdk() {
    // With tracing off, nothing else may load it: the request path makes no span objects.
    noClasses().that().resideOutsideOfPackage("gatehouse.trace.otel..")
        .should().dependOnClassesThat().resideInAPackage("io.opentelemetry..")
        .check(main);
  }

  @Test
  void onlyTheCommandLineUsesTheCompositionRoot() {
    noClasses().that().resideOutsideOfPackage("gatehouse.cli..").and().doNotHaveFullyQualifiedName("gatehouse.Gatehouse")
        .should().dependOnClassesThat().haveFullyQualifiedName("gatehouse.Gatehouse")
        .check(main);
  }

  /** No cycles among the top-level packages: each layer can be read, and replaced, without the ones above it. */
  static ArchRule topLevelPackagesAreFreeOfCycles(String root) {
    return slices().matching(root + ".(*)..").namingSlices("$1").should().beFreeOfCycles();
  }

  /**
   * Each kind of authenticator stands alone. {@code bearer} composes the others only through the
   * {@code authn.Authenticator} interface; what they share (claim paths, claim mapping) is in
   * {@code authn} itself.
   */
  static ArchRule authenticatorsDoNotDependOnOneAnother(String root) {
    return slices().matching(root + ".authn.(*)..").namingSlices("authn.$1").should().notDependOnEachOther();
  }

  /**
   * Vert.x's and Netty's internal APIs change without notice between releases. Only {@code
   * server.GatewayInstances} uses them (with its nested classes): it builds one context per event
   * loop, which the public API cannot; and {@code server.RawReplies}, which writes a reply on an
   * HTTP/1 connection that has no request to answer through; and {@code transport.HttpClients},
   * which makes Vert.x 5.0 forget a closed HTTP client (eclipse-vertx/vert.x#6268); and {@code
   * server.HeaderFieldLimit} (with its nested classes), which has Vert.x's HTTP/1 request decoder
   * count header fields, which neither Vert.x nor Netty can be told to do.
   */
  static ArchRule onlyGatewayInstancesUsesVertxInternals(String root) {
    String owner = root + ".server.GatewayInstances";
    return noClasses().that().doNotHaveFullyQualifiedName(owner).and().haveNameNotMatching(Pattern.quote(owner) + "\\$.*")
        .and().doNotHaveFullyQualifiedName(root + ".server.RawReplies")
        .and().doNotHaveFullyQualifiedName(root + ".transport.HttpClients")
        .and().doNotHaveFullyQualifiedName(root + ".server.HeaderFieldLimit")
        .and().haveNameNotMatching(Pattern.quote(root + ".server.HeaderFieldLimit") + "\\$.*")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.vertx.core.impl..", "io.vertx.core.internal..", "io.vertx.core.net.impl..", "io.vertx..impl..", "io.netty..internal..");
  }

  /**
   * The limiter counts and refills; it knows no other part of the gateway but {@code config}, the
   * throttled log ({@code logging}: the shared limiter's fallback notice) and {@code secret} (its
   * Redis password): no stage, the conductor, the server or the access log.
   */
  static ArchRule theLimiterKnowsNoStage(String root) {
    return noClasses().that().resideInAPackage(root + ".ratelimit..")
        .should().dependOnClassesThat(resideInAPackage(root + "..")
            .and(not(resideInAnyPackage(root + ".ratelimit..", root + ".config..", root + ".logging..", root + ".secret.."))));
  }

  /**
   * The deny-list guards every kind of authenticator through their shared answer: it reads {@code
   * authn} itself (not one kind's package), the credential it hashes, its config, and the throttled
   * log; no stage after authentication, the conductor or the server.
   */
  static ArchRule theDenyListKnowsOnlyTheSharedAnswer(String root) {
    return noClasses().that().resideInAPackage(root + ".revoke..")
        .should().dependOnClassesThat(resideInAPackage(root + "..").and(not(resideInAnyPackage(root + ".revoke..", root + ".authn",
            root + ".credential..", root + ".config..", root + ".secret..", root + ".logging.."))));
  }

  /**
   * Authenticators report a credential's own limit and quota, as the limiter's values ({@code Limit},
   * {@code CalendarQuota}); only the limit stage takes tokens: nothing else of {@code ratelimit}, and
   * nothing of {@code limit}, is theirs to use.
   */
  static ArchRule authenticatorsTakeNoTokens(String root) {
    return noClasses().that().resideInAPackage(root + ".authn..")
        .should().dependOnClassesThat(resideInAnyPackage(root + ".ratelimit..", root + ".limit..")
            .and(not(com.tngtech.archunit.base.DescribedPredicate.describe("the limiter's values",
                (com.tngtech.archunit.core.domain.JavaClass c) -> c.getName().equals(root + ".ratelimit.Limit")
                    || c.getName().startsWith(root + ".ratelimit.CalendarQuota")))));
  }

  /**
   * Stage 5, limit, reads the route, the identity and the credential's limit and asks the limiter;
   * it does not reach back into the conductor or the server, nor forward into the stages after it.
   */
  static ArchRule theLimitStageKeepsToItsStage(String root) {
    return noClasses().that().resideInAPackage(root + ".limit..")
        .should().dependOnClassesThat().resideInAnyPackage(root + ".pipeline..", root + ".server..", root + ".cli..",
            root + ".observe..", root + ".credential..", root + ".identity..", root + ".proxy..");
  }

  /**
   * The access log and the metrics read the decided outcome; nothing that decides reads them. Only
   * the server (which records each request), the command line (which sets up logging) and the
   * composition root (classes directly in the root package) depend on {@code observe}.
   */
  static ArchRule onlyTheServerTheCommandLineAndTheRootUseObserve(String root) {
    return noClasses().that().resideOutsideOfPackages(root + ".observe..", root + ".server..", root + ".cli..")
        .and().resideOutsideOfPackage(root)
        .should().dependOnClassesThat().resideInAPackage(root + ".observe..");
  }

  /**
   * Stage 6 plans header edits from the identity and the consumed credential, and binds the
   * upstream's signer to the identity for the proxy to call; it does not reach back into the
   * conductor, the server, the command line, the access log or the limiter, nor forward into the
   * proxy, which reads what stage 6 hands it ({@code identity.RequestSigner}).
   */
  static ArchRule identityDoesNotReachTheConductorOrTheProxy(String root) {
    return noClasses().that().resideInAPackage(root + ".identity..")
        .should().dependOnClassesThat(resideInAnyPackage(root + ".pipeline..", root + ".server..", root + ".cli..",
            root + ".observe..", root + ".ratelimit..", root + ".limit..", root + ".proxy.."));
  }

  /**
   * {@code sun.misc.Signal} (module {@code jdk.unsupported}) is confined to the classes named for
   * the signal they handle: {@code observe.ReopenSignal} (SIGUSR1) and {@code cli.StopSignal}
   * (SIGTERM, SIGINT) and {@code cli.HangupSignal} (SIGHUP).
   */
  static ArchRule onlyClassesNamedForTheirSignalHandleSignals(String root) {
    return noClasses().that().haveSimpleNameNotEndingWith("Signal")
        .should().dependOnClassesThat().resideInAPackage("sun.misc..");
  }

  @Test
  void onlyClassesNamedForTheirSignalTouchSignals() {
    onlyClassesNamedForTheirSignalHandleSignals(ROOT).check(main);
  }

  @Test
  void noPackageCycles() {
    topLevelPackagesAreFreeOfCycles(ROOT).check(main);
  }

  @Test
  void authenticatorSubPackagesAreIndependent() {
    authenticatorsDoNotDependOnOneAnother(ROOT).check(main);
  }

  @Test
  void vertxInternalsAreConfinedToGatewayInstances() {
    onlyGatewayInstancesUsesVertxInternals(ROOT).check(main);
  }

  @Test
  void rateLimitingDependsOnNoStage() {
    theLimiterKnowsNoStage(ROOT).check(main);
  }

  @Test
  void theDenyListDependsOnTheAnswerNotOnAKindOfAuthenticator() {
    theDenyListKnowsOnlyTheSharedAnswer(ROOT).check(main);
  }

  @Test
  void authenticatorsReportLimitsAndNeverTakeTokens() {
    authenticatorsTakeNoTokens(ROOT).check(main);
  }

  @Test
  void theLimitStageReachesNeitherBackNorForward() {
    theLimitStageKeepsToItsStage(ROOT).check(main);
  }

  @Test
  void observeIsUsedOnlyByTheServerTheCommandLineAndTheRoot() {
    onlyTheServerTheCommandLineAndTheRootUseObserve(ROOT).check(main);
  }

  @Test
  void identityKeepsToItsStage() {
    identityDoesNotReachTheConductorOrTheProxy(ROOT).check(main);
  }

  @Test
  void eachNewRuleFailsOnAClassThatBreaksIt() {
    fails(topLevelPackagesAreFreeOfCycles(VIOLATIONS), ConfigSide.class.getName(), ConfigSide.class, CredentialSide.class);
    fails(authenticatorsDoNotDependOnOneAnother(VIOLATIONS), IntrospectSide.class.getName(), IntrospectSide.class, JwtSide.class);
    fails(onlyGatewayInstancesUsesVertxInternals(VIOLATIONS), InternalsSide.class.getName(), InternalsSide.class);
    fails(theLimiterKnowsNoStage(VIOLATIONS), LimiterSide.class.getName(), LimiterSide.class, JwtSide.class);
    theLimiterKnowsNoStage(VIOLATIONS).check(new ClassFileImporter().importClasses(KnowsConfig.class, ConfigSide.class));
    fails(theDenyListKnowsOnlyTheSharedAnswer(VIOLATIONS), RevokeSide.class.getName(), RevokeSide.class, JwtSide.class);
    fails(authenticatorsTakeNoTokens(VIOLATIONS), TakesTokens.class.getName(), TakesTokens.class, LimiterSide.class);
    fails(theLimitStageKeepsToItsStage(VIOLATIONS), LimitSide.class.getName(), LimitSide.class, PipelineSide.class);
    fails(onlyTheServerTheCommandLineAndTheRootUseObserve(VIOLATIONS), LogsToObserve.class.getName(), LogsToObserve.class, ObserveSide.class);
    fails(identityDoesNotReachTheConductorOrTheProxy(VIOLATIONS), IdentitySide.class.getName(), IdentitySide.class, PipelineSide.class);
    fails(onlyClassesNamedForTheirSignalHandleSignals(VIOLATIONS), SignalSide.class.getName(), SignalSide.class);
  }

  @Test
  void theOneClassAllowedOnVertxInternalsPasses() {
    onlyGatewayInstancesUsesVertxInternals(VIOLATIONS).check(new ClassFileImporter().importClasses(
        GatewayInstances.class, GatewayInstances.Instance.class, ObserveSide.class));
  }

  /** {@code rule}, checked against {@code classes} alone, fails and names {@code offender}. */
  private static void fails(ArchRule rule, String offender, Class<?>... classes) {
    AssertionError e = assertThrows(AssertionError.class, () -> rule.check(new ClassFileImporter().importClasses(classes)));
    assertTrue(e.getMessage().contains(offender), () -> "the failure should name " + offender + ":\n" + e.getMessage());
  }
}
