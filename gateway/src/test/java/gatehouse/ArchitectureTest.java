package gatehouse;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of the pipeline, checked on the compiled classes (STYLE.md, habit 1). */
class ArchitectureTest {
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
  void onlyTheCommandLineUsesTheCompositionRoot() {
    noClasses().that().resideOutsideOfPackage("gatehouse.cli..").and().doNotHaveFullyQualifiedName("gatehouse.Gatehouse")
        .should().dependOnClassesThat().haveFullyQualifiedName("gatehouse.Gatehouse")
        .check(main);
  }

  @Test
  void onlyTheReopenSignalTouchesSignals() {
    noClasses().that().doNotHaveFullyQualifiedName("gatehouse.observe.ReopenSignal")
        .should().dependOnClassesThat().resideInAPackage("sun.misc..")
        .check(main);
  }
}
