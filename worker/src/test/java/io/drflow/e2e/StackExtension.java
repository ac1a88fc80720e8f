package io.drflow.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands test classes the {@link DrflowStack}, started once per test run (in the root context's
 * store, which closes it when the run ends): starting it costs more than most tests using it.
 */
public final class StackExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
    return p.getParameter().getType() == DrflowStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
    return ctx.getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(
            DrflowStack.class,
            k -> {
              try {
                return DrflowStack.start();
              } catch (Exception e) {
                throw new IllegalStateException("starting the e2e stack failed: " + e, e);
              }
            },
            DrflowStack.class);
  }
}
