/**
 * Where public-key signatures are computed. {@link gatehouse.crypto.SignatureEngine} is chosen once
 * at start-up ({@code crypto.provider}) and handed to what verifies tokens ({@code authn.jwt}) and
 * what signs requests for backends ({@code identity}).
 */
package gatehouse.crypto;
