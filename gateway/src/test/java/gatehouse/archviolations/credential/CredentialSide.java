package gatehouse.archviolations.credential;

import gatehouse.archviolations.config.ConfigSide;

/** The other half: credential reads config, as every stage does. */
public class CredentialSide {
  public ConfigSide config;
}
