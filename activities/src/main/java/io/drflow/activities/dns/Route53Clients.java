package io.drflow.activities.dns;

import io.drflow.activities.config.DnsConfig;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * Builds Route53 clients. Credentials and region come from the AWS SDK's default chains
 * (environment, ~/.aws, web identity, instance profile): drflow.yaml never holds AWS keys.
 */
public final class Route53Clients {

  private Route53Clients() {}

  public static Route53Client create(DnsConfig.Route53 config) {
    var builder =
        Route53Client.builder()
            .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)))
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .region(region());
    if (config.endpoint() != null && !config.endpoint().isBlank()) {
      builder.endpointOverride(URI.create(config.endpoint()));
    }
    return builder.build();
  }

  /** Route53 is a global service: without a configured region the SDK's global one is right. */
  private static Region region() {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (RuntimeException e) {
      return Region.AWS_GLOBAL;
    }
  }
}
