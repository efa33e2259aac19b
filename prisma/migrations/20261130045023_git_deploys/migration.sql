-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('QUEUED', 'CLONING', 'BUILDING', 'STARTING', 'HEALTH_CHECK', 'LIVE', 'FAILED', 'CANCELLED');

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "baseDomain" TEXT NOT NULL DEFAULT 'localhost',
ADD COLUMN     "buildConcurrency" INTEGER NOT NULL DEFAULT 2;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "dockerfile" TEXT NOT NULL DEFAULT 'Dockerfile',
ADD COLUMN     "domains" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "gitAuth" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "gitBranch" TEXT,
ADD COLUMN     "gitCredential" TEXT,
ADD COLUMN     "gitPublicKey" TEXT,
ADD COLUMN     "gitSubdir" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "gitUrl" TEXT,
ADD COLUMN     "healthPath" TEXT,
ADD COLUMN     "healthTimeoutSec" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN     "httpPort" INTEGER,
ADD COLUMN     "keepReleases" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "liveDeploymentId" TEXT,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'image',
ADD COLUMN     "webhookSecret" TEXT;

-- CreateTable
CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "hostId" TEXT,
    "number" INTEGER NOT NULL,
    "status" "DeploymentStatus" NOT NULL DEFAULT 'QUEUED',
    "trigger" TEXT NOT NULL,
    "ref" TEXT,
    "requestedCommit" TEXT,
    "commitSha" TEXT,
    "commitMessage" TEXT,
    "commitAuthor" TEXT,
    "sourceId" TEXT,
    "imageId" TEXT,
    "imageTag" TEXT,
    "imagePrunedAt" TIMESTAMP(3),
    "config" TEXT,
    "configKeys" JSONB,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "log" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "supersededById" TEXT,
    "dispatchedAt" TIMESTAMP(3),
    "leaseExpiresAt" TIMESTAMP(3),
    "actorId" TEXT,
    "actorEmail" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Deployment_status_hostId_idx" ON "Deployment"("status", "hostId");

-- CreateIndex
CREATE INDEX "Deployment_teamId_idx" ON "Deployment"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "Deployment_serviceId_number_key" ON "Deployment"("serviceId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_serviceId_deliveryId_key" ON "WebhookDelivery"("serviceId", "deliveryId");

-- CreateIndex
CREATE UNIQUE INDEX "Service_liveDeploymentId_key" ON "Service"("liveDeploymentId");

-- AddForeignKey
ALTER TABLE "Service" ADD CONSTRAINT "Service_liveDeploymentId_fkey" FOREIGN KEY ("liveDeploymentId") REFERENCES "Deployment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

