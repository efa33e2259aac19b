/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages with native or dynamic requires stay out of the bundle.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "bullmq", "ioredis", "dockerode"],
  poweredByHeader: false,
};

module.exports = nextConfig;
